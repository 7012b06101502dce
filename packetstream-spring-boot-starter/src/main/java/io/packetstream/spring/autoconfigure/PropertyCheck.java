package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.context.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Applies one {@code packetstream.*} value to the builder that checks it, at start-up, and turns
 * the builder's refusal into Boot's invalid-property failure, which names the property and its
 * value; otherwise a bad value would surface only when a connection opens, in a client's reconnect
 * loop.
 */
final class PropertyCheck {

  /** A builder setting turned off in a core message: {@code probeInterval(Duration.ZERO)}. */
  private static final Pattern SETTING_OFF =
      Pattern.compile("\\b([a-z]+[A-Z][A-Za-z]*)\\(Duration\\.ZERO\\)");

  /** The builder setting a core message starts with: {@code probeInterval PT-1S is negative}. */
  private static final Pattern LEADING_SETTING = Pattern.compile("^[a-z]+[A-Z][A-Za-z]*\\b");

  private PropertyCheck() {}

  /** Runs {@code setting}, which applies {@code value} of {@code property}. */
  static void apply(String property, Object value, Runnable setting) {
    make(
        property,
        value,
        () -> {
          setting.run();
          return null;
        });
  }

  /** What {@code maker} makes of {@code value} of {@code property}. */
  static <T> T make(String property, Object value, Supplier<T> maker) {
    try {
      return maker.get();
    } catch (IllegalArgumentException | ArithmeticException | NullPointerException e) {
      throw new InvalidConfigurationPropertyValueException(
          property,
          shown(value),
          reason(property, e.getMessage() != null ? e.getMessage() : e.toString()));
    }
  }

  /**
   * A builder's refusal of {@code property} in the user's words: the builder's setting names become
   * property names, and durations read as in {@code application.yml} ({@code 200ms}).
   */
  static String reason(String property, String message) {
    String sibling = property.substring(0, property.lastIndexOf('.') + 1);
    Matcher off = SETTING_OFF.matcher(message);
    StringBuilder b = new StringBuilder();
    while (off.find()) {
      off.appendReplacement(b, Matcher.quoteReplacement(sibling + kebab(off.group(1)) + "=0"));
    }
    String named =
        LEADING_SETTING
            .matcher(off.appendTail(b).toString())
            .replaceFirst(Matcher.quoteReplacement(property));
    return Durations.inText(named);
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
  }

  /**
   * Fails because {@code property} is not set: {@code rule} says why it is needed, {@code action}
   * what to set.
   */
  static void requireSet(boolean set, String property, String rule, String action) {
    if (!set) {
      throw new MissingPropertyException(property, rule, action);
    }
  }

  /** Fails for {@code property} with {@code reason} unless {@code valid}. */
  static void require(boolean valid, String property, Object value, String reason) {
    if (!valid) {
      throw new InvalidConfigurationPropertyValueException(property, shown(value), reason);
    }
  }

  /** {@code value} as a user writes it: a duration in Spring's style ({@code 200ms}). */
  private static Object shown(Object value) {
    return value instanceof Duration d ? Durations.format(d) : value;
  }
}
