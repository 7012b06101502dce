package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A drain that may outlast Spring's shutdown phase is told at start-up: stopped by a signal, the
 * JVM exits when the phase ends and cuts off the requests still running, with no warning of the
 * server's own.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownTimeoutWarningTest {

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(TestApplication.class)
        .web(WebApplicationType.NONE)
        .properties("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .properties(properties)
        .run();
  }

  @Test
  void aShutdownTimeoutNotBelowThePhaseTimeoutIsWarnedOfNamingBoth(CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        start("spring.lifecycle.timeout-per-shutdown-phase=5s")) {
      assertThat(output.getOut())
          .contains("WARN")
          .contains("packetstream.server.shutdown-timeout (20s)")
          .contains("spring.lifecycle.timeout-per-shutdown-phase (5s)");
    }
  }

  @Test
  void theDefaultsDrainWithinThePhase(CapturedOutput output) {
    try (ConfigurableApplicationContext context = start()) {
      assertThat(output.getOut()).doesNotContain("spring.lifecycle.timeout-per-shutdown-phase (");
    }
  }
}
