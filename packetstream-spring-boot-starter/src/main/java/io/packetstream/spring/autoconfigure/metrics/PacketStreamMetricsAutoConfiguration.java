package io.packetstream.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamProperties;
import io.packetstream.spring.autoconfigure.observation.PacketStreamObservationAutoConfiguration;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.metrics.PacketStreamMetrics;
import io.packetstream.spring.observation.PacketStreamObservations;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for every connection, when Micrometer and a registry are present; request
 * timers only when observations are off, since Boot's observation handlers time them otherwise.
 */
@AutoConfiguration(
    after = {PacketStreamAutoConfiguration.class, PacketStreamObservationAutoConfiguration.class},
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "packetstream.metrics.enabled", matchIfMissing = true)
public final class PacketStreamMetricsAutoConfiguration {

  /** The meters, attached to every connection builder. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamMetrics packetStreamMetrics(
      MeterRegistry registry,
      PacketStreamProperties properties,
      PacketHandlers handlers,
      ObjectProvider<PacketStreamObservations> observations) {
    PacketStreamProperties.Metrics m = properties.getMetrics();
    if (m.getMaxTaggedConnections() < 1) {
      throw new InvalidConfigurationPropertyValueException(
          "packetstream.metrics.max-tagged-connections",
          m.getMaxTaggedConnections(),
          "at least 1 (turn per-connection meters off with packetstream.metrics.per-connection)");
    }
    PacketStreamMetrics metrics =
        new PacketStreamMetrics(
            registry, m.isPerConnection() ? m.getMaxTaggedConnections() : 0, handlers);
    // with observations, Boot's observation handlers time the requests
    return observations.getIfAvailable() != null ? metrics.withoutRequestTimers() : metrics;
  }
}
