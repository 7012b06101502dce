package io.packetstream.spring.autoconfigure;

import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

/**
 * Stops start-up on a {@code packetstream.*} property that was renamed, naming its replacement:
 * binding ignores a name it does not know, so the old name would start cleanly and have no effect.
 * The configuration metadata marks the same names as errors for IDEs.
 */
final class RenamedProperties {

  /** Old name to new name. */
  private static final Map<String, String> RENAMED =
      Map.of(
          "packetstream.max-queued-request-bytes", "packetstream.max-queued-request-size",
          "packetstream.max-queued-answer-bytes", "packetstream.max-queued-answer-size");

  private RenamedProperties() {}

  /** Fails for the first renamed property {@code environment} sets, in any relaxed form. */
  static void check(Environment environment) {
    Binder binder = Binder.get(environment);
    RENAMED.forEach(
        (old, replacement) ->
            binder
                .bind(old, String.class)
                .ifBound(
                    value -> {
                      throw new InvalidConfigurationPropertyValueException(
                          old,
                          value,
                          "'"
                              + old
                              + "' was renamed '"
                              + replacement
                              + "' and has no effect: set '"
                              + replacement
                              + "' instead");
                    }));
  }
}
