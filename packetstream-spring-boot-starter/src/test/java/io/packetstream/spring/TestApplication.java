package io.packetstream.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The application the end-to-end tests run: the starter plus {@link TestHandlers}. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({TestHandlers.class, RecordedEvents.class})
public class TestApplication {}
