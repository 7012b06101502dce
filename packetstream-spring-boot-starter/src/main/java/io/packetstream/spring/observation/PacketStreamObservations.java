package io.packetstream.spring.observation;

import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.ClientErrors;
import io.packetstream.spring.handler.PacketHandlers;

/**
 * Makes every request on the starter's connections a Micrometer {@code Observation}, documented
 * by {@link PacketStreamObservationDocumentation}: the peer's requests as
 * {@code packetstream.server.requests}, this end's as {@code packetstream.client.requests}, each
 * from start to answer, with a {@link RequestOutcome}. With Boot's observation support these give
 * timers and long-task timers, and spans with micrometer-tracing.
 */
public final class PacketStreamObservations implements PacketConnectionCustomizer {

  /** Which inbound request types may be a key value. */
  @FunctionalInterface
  interface RequestTypes {
    boolean known(long channel, long rqType);
  }

  private final ObservationRegistry registry;
  private final PacketStreamObservationConvention convention;
  private final RequestTypes types;
  private final ClientErrors clientErrors;

  /**
   * Observations in {@code registry}, named and keyed by {@code convention} (null: the default
   * one); the peer's requests keep their type only when one of {@code handlers} answers it, and
   * count as client errors when a handler said so.
   */
  public PacketStreamObservations(ObservationRegistry registry,
      PacketStreamObservationConvention convention, PacketHandlers handlers) {
    this.registry = registry;
    this.convention = convention;
    this.types = handlers::handles;
    this.clientErrors = handlers.clientErrors();
    clientErrors.enable();
  }

  @Override
  public void customize(PacketConnection.Builder builder, ConnectionRole role, String name) {
    if (!registry.isNoop()) {
      builder.listener(new ObservingListener(registry, convention, role, name, types,
          clientErrors));
    }
  }
}
