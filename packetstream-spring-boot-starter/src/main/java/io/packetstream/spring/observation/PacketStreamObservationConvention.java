package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of request observations; define a bean of this type to change them, as with Boot's
 * other observation conventions.
 */
public interface PacketStreamObservationConvention
    extends ObservationConvention<PacketStreamObservationContext> {

  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof PacketStreamObservationContext;
  }
}
