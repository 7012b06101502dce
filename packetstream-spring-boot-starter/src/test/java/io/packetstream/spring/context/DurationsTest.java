package io.packetstream.spring.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.convert.DurationStyle;

/** Durations in messages read as a user writes them in application.yml, and parse back. */
class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "PT0.2S, 200ms",
    "PT30S, 30s",
    "PT1.5S, 1500ms",
    "PT2M, 2m",
    "PT90S, 90s",
    "PT1H, 1h",
    "PT48H, 2d",
    "PT0S, 0s",
    "PT-1S, -1s",
    "PT-0.001S, -1ms",
    "PT0.000001S, 1us",
    "PT0.0000015S, 1500ns",
    "PT-0.000000001S, -1ns"
  })
  void printsTheLargestExactUnit(String iso, String expected) {
    Duration d = Duration.parse(iso);
    assertThat(Durations.format(d)).isEqualTo(expected);
    assertThat(DurationStyle.SIMPLE.parse(expected)).isEqualTo(d);
  }

  @org.junit.jupiter.api.Test
  void rewritesIsoDurationsInsideText() {
    assertThat(Durations.inText("initial PT0.2S, max PT-30S, x2"))
        .isEqualTo("initial 200ms, max -30s, x2");
    assertThat(Durations.inText("PT1M30S and PT-1.5S")).isEqualTo("90s and -1500ms");
    assertThat(Durations.inText("no duration here: PTX")).isEqualTo("no duration here: PTX");
  }
}
