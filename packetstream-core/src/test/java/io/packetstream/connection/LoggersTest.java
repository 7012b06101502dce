package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger;
import java.lang.System.LoggerFinder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In an executable jar the JDK finds no logger finder of the application's (it looks on the system
 * class loader only) and falls back to java.util.logging; the library then takes the finder its own
 * class loader provides.
 */
class LoggersTest {

  /** A finder an application's jar provides, as slf4j-jdk-platform-logging does. */
  public static final class AppFinder extends LoggerFinder {
    @Override
    public Logger getLogger(String name, Module module) {
      return System.getLogger(name);
    }
  }

  @Test
  void theFinderOfTheLibrarysClassLoaderServesWhenTheJdkFellBack(@TempDir Path dir)
      throws Exception {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(LoggerFinder.class.getName()), AppFinder.class.getName() + "\n");
    try (URLClassLoader nested =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {

      assertThat(Loggers.own(nested, true)).isInstanceOf(AppFinder.class);
      assertThat(Loggers.own(nested, false)).as("the JDK found one: it serves").isNull();
    }
  }

  @Test
  void withoutAFinderOfItsOwnTheJdksServes() {
    assertThat(Loggers.own(getClass().getClassLoader(), true)).isNull();
    assertThat(Loggers.of(PacketConnection.class).getName())
        .isEqualTo(PacketConnection.class.getName());
  }
}
