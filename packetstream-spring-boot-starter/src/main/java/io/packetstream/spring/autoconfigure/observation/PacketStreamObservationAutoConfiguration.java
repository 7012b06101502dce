package io.packetstream.spring.autoconfigure.observation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.observation.PacketStreamMeterObservationHandler;
import io.packetstream.spring.observation.PacketStreamObservationConvention;
import io.packetstream.spring.observation.PacketStreamObservations;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * An {@code Observation} of every request, when Micrometer's observation API and a registry are
 * present and {@code packetstream.observations.enabled} is not false: Boot's handlers then make the
 * request timers (and spans, with tracing).
 */
@AutoConfiguration(
    after = PacketStreamAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "packetstream.observations.enabled", matchIfMissing = true)
public final class PacketStreamObservationAutoConfiguration {

  /** The observations, attached to every connection builder. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamObservations packetStreamObservations(
      ObservationRegistry registry,
      ObjectProvider<PacketStreamObservationConvention> convention,
      PacketHandlers handlers) {
    return new PacketStreamObservations(registry, convention.getIfUnique(), handlers);
  }

  /** Request meters made with a meter lookup per kind of request, not per request. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class Meters {

    @Bean
    @ConditionalOnMissingBean
    PacketStreamMeterObservationHandler packetStreamMeterObservationHandler(
        MeterRegistry registry, Environment environment) {
      // Boot's setting for its own meter handler, which this one stands in for
      Set<String> ignored =
          Binder.get(environment)
              .bind("management.metrics.observations.ignored-meters", Bindable.setOf(String.class))
              .orElse(Set.of())
              .stream()
              .map(m -> m.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'))
              .collect(java.util.stream.Collectors.toSet());
      return new PacketStreamMeterObservationHandler(
          registry, !ignored.contains("TIMER"), !ignored.contains("LONG_TASK_TIMER"));
    }
  }
}
