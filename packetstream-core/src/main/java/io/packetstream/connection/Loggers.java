package io.packetstream.connection;

import java.lang.System.Logger;
import java.lang.System.LoggerFinder;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The library's loggers. The JDK looks for a {@link LoggerFinder} (such as SLF4J's
 * slf4j-jdk-platform-logging) only on the system class loader, which cannot see the jars nested in
 * an application's executable jar (Spring Boot's {@code java -jar}); there it falls back to
 * java.util.logging, whose shutdown hook silences what the library logs while it drains. So the
 * library first asks the class loader it was loaded by for a finder of its own, and takes the JDK's
 * only when that finds nothing other. For the library's classes; applications use {@link
 * System#getLogger}.
 */
public final class Loggers {

  private static final LoggerFinder OWN = own(Loggers.class.getClassLoader(), jdkDefault());

  private Loggers() {}

  /** The logger named after {@code owner}. */
  public static Logger of(Class<?> owner) {
    return OWN != null
        ? OWN.getLogger(owner.getName(), Loggers.class.getModule())
        : System.getLogger(owner.getName());
  }

  /**
   * Whether the JDK's finder is its own fallback, java.util.logging (or the simple console one).
   */
  private static boolean jdkDefault() {
    String finder = LoggerFinder.getLoggerFinder().getClass().getName();
    return finder.startsWith("sun.util.logging.") || finder.startsWith("jdk.internal.logger.");
  }

  /**
   * The first finder {@code loader} provides, when the JDK fell back to its own ({@code
   * jdkDefault}); else null, and the JDK's serves.
   */
  static LoggerFinder own(ClassLoader loader, boolean jdkDefault) {
    if (!jdkDefault || loader == null) {
      return null;
    }
    try {
      for (LoggerFinder finder : ServiceLoader.load(LoggerFinder.class, loader)) {
        return finder;
      }
    } catch (ServiceConfigurationError | RuntimeException e) {
      // a provider that cannot be made: the JDK's finder serves, as it would have anyway
    }
    return null;
  }
}
