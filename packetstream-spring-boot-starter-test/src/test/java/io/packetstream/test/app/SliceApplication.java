package io.packetstream.test.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application the test module's tests slice: handlers and, beside them, beans a slice leaves
 * out.
 */
@SpringBootApplication
public class SliceApplication {}
