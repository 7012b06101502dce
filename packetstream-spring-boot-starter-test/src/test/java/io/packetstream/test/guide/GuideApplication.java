package io.packetstream.test.guide;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application of the testing guide's example in docs/starter.md: {@link Fruit} alone. */
@SpringBootApplication
public class GuideApplication {}
