package io.packetstream.spring.autoconfigure.observation;

import io.micrometer.observation.ObservationRegistry;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.observation.PacketStreamObservationConvention;
import io.packetstream.spring.observation.PacketStreamObservations;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * An {@code Observation} of every request, when Micrometer's observation API and a registry are
 * present and {@code packetstream.observations.enabled} is not false: Boot's handlers then make
 * the request timers (and spans, with tracing).
 */
@AutoConfiguration(after = PacketStreamAutoConfiguration.class,
    afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "packetstream.observations.enabled", matchIfMissing = true)
public final class PacketStreamObservationAutoConfiguration {

  /** The observations, attached to every connection builder. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamObservations packetStreamObservations(ObservationRegistry registry,
      ObjectProvider<PacketStreamObservationConvention> convention, PacketHandlers handlers) {
    return new PacketStreamObservations(registry, convention.getIfUnique(), handlers);
  }
}
