package io.packetstream.spring.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.metrics.PacketStreamMetrics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The metrics auto-configuration: meters with a registry, none without. */
class PacketStreamMetricsAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class, PacketStreamMetricsAutoConfiguration.class));

  @Test
  void metricsWithARegistry() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context).hasSingleBean(PacketStreamMetrics.class));
  }

  @Test
  void noMetricsWhenDisabled() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("packetstream.metrics.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamMetrics.class));
  }

  @Test
  void noMetricsWithoutMicrometer() {
    runner
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamMetrics.class));
  }

  @Test
  void noMetricsWithoutARegistry() {
    runner.run(context -> assertThat(context).doesNotHaveBean(PacketStreamMetrics.class));
  }
}
