package io.packetstream.spring.autoconfigure;

import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Applies one {@code packetstream.*} value to the builder that checks it, at start-up, and turns
 * the builder's refusal into Boot's invalid-property failure, which names the property and its
 * value; otherwise a bad value would surface only when a connection opens, in a client's
 * reconnect loop.
 */
final class PropertyCheck {

  private PropertyCheck() {}

  /** Runs {@code setting}, which applies {@code value} of {@code property}. */
  static void apply(String property, Object value, Runnable setting) {
    make(property, value, () -> {
      setting.run();
      return null;
    });
  }

  /** What {@code maker} makes of {@code value} of {@code property}. */
  static <T> T make(String property, Object value, Supplier<T> maker) {
    try {
      return maker.get();
    } catch (IllegalArgumentException | ArithmeticException | NullPointerException e) {
      throw new InvalidConfigurationPropertyValueException(property, value,
          e.getMessage() != null ? e.getMessage() : e.toString());
    }
  }

  /** Fails for {@code property} with {@code reason} unless {@code valid}. */
  static void require(boolean valid, String property, Object value, String reason) {
    if (!valid) {
      throw new InvalidConfigurationPropertyValueException(property, value, reason);
    }
  }
}
