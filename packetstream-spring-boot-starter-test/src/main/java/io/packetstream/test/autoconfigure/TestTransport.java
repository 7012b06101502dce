package io.packetstream.test.autoconfigure;

import java.util.Locale;
import org.springframework.core.env.Environment;

/** How the tester reaches the application: {@code packetstream.test.transport}. */
enum TestTransport {
  /** Over TCP, to the running server: the default. */
  TCP,
  /** Over an in-memory pipe pair, without a server. */
  IN_MEMORY;

  static final String PROPERTY = "packetstream.test.transport";

  /** The transport the environment asks for; a value other than tcp or in-memory is refused. */
  static TestTransport of(Environment environment) {
    String value = environment.getProperty(PROPERTY, "tcp").trim().toLowerCase(Locale.ROOT);
    switch (value) {
      case "tcp":
        return TCP;
      case "in-memory":
        return IN_MEMORY;
      default:
        throw new IllegalStateException(
            PROPERTY
                + "="
                + value
                + " is not a transport: use tcp"
                + " (the default) or in-memory");
    }
  }
}
