package io.packetstream.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** A refused value reads as the user wrote it: property names, Spring's duration style. */
class PropertyCheckTest {

  @Test
  void aRefusedDurationIsShownInSpringsStyle() {
    InvalidConfigurationPropertyValueException e =
        catchThrowableOfType(
            InvalidConfigurationPropertyValueException.class,
            () ->
                PropertyCheck.require(
                    false,
                    "packetstream.clients.a.connect-timeout",
                    Duration.ofMillis(-200),
                    "a connect timeout is 0 (none) or more"));
    assertThat(e.getValue()).isEqualTo("-200ms");
    assertThat(e.getMessage()).contains("-200ms").doesNotContain("PT");
  }

  @Test
  void aBuilderRefusalNamesThePropertyNotTheBuilderSetting() {
    InvalidConfigurationPropertyValueException e =
        catchThrowableOfType(
            InvalidConfigurationPropertyValueException.class,
            () ->
                PropertyCheck.apply(
                    "packetstream.server.shutdown-timeout",
                    Duration.ofSeconds(-5),
                    () -> {
                      throw new IllegalArgumentException("shutdownTimeout PT-5S is negative");
                    }));
    assertThat(e.getValue()).isEqualTo("-5s");
    assertThat(e.getReason()).isEqualTo("packetstream.server.shutdown-timeout -5s is negative");
  }

  @Test
  void aSettingTurnedOffInTheRefusalBecomesItsProperty() {
    assertThat(
            PropertyCheck.reason(
                "packetstream.clients.a.probe-timeout",
                "probeTimeout must be positive; turn probes off with probeInterval(Duration.ZERO)"))
        .isEqualTo(
            "packetstream.clients.a.probe-timeout must be positive; turn probes off with"
                + " packetstream.clients.a.probe-interval=0");
  }

  @Test
  void aRefusalWithoutABuilderSettingKeepsItsWords() {
    assertThat(
            PropertyCheck.reason(
                "packetstream.clients.a.addresses",
                "'foo' is not host:port (an IPv6 address in brackets, a port 1 to 65535)"))
        .isEqualTo("'foo' is not host:port (an IPv6 address in brackets, a port 1 to 65535)");
  }
}
