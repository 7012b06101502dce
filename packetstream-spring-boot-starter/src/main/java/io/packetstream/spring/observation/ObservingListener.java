package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.handler.ClientErrors;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes an {@link Observation} of every request on the connections of one builder (all of the
 * server's, or one client's): started when the core reports the request's start, stopped with
 * its outcome when the core reports its end. The core pairs the two events, so every
 * observation started is stopped.
 */
final class ObservingListener implements TrafficListener {

  private record Key(PacketConnection connection, Direction direction, long channel, long tag) {}

  private final ObservationRegistry registry;
  private final PacketStreamObservationConvention convention;
  private final ConnectionRole role;
  private final String name;
  private final PacketStreamObservations.RequestTypes types;
  private final ClientErrors clientErrors;
  private final Map<Key, Observation> running = new ConcurrentHashMap<>();

  ObservingListener(ObservationRegistry registry, PacketStreamObservationConvention convention,
      ConnectionRole role, String name, PacketStreamObservations.RequestTypes types,
      ClientErrors clientErrors) {
    this.registry = registry;
    this.convention = convention;
    this.role = role;
    this.name = name;
    this.types = types;
    this.clientErrors = clientErrors;
  }

  @Override
  public void requestStarted(PacketConnection c, Direction direction, long channel, long tag,
      long rqType) {
    boolean known = direction == Direction.OUTBOUND || types.known(channel, rqType);
    PacketStreamObservationContext context = new PacketStreamObservationContext(role, name, c,
        direction, channel, tag, rqType, known);
    PacketStreamObservationDocumentation doc = direction == Direction.INBOUND
        ? PacketStreamObservationDocumentation.SERVER_REQUESTS
        : PacketStreamObservationDocumentation.CLIENT_REQUESTS;
    DefaultPacketStreamObservationConvention defaults = direction == Direction.INBOUND
        ? DefaultPacketStreamObservationConvention.SERVER
        : DefaultPacketStreamObservationConvention.CLIENT;
    Observation o = doc.observation(convention, defaults, () -> context, registry).start();
    running.put(new Key(c, direction, channel, tag), o);
  }

  @Override
  public void requestFinished(PacketConnection c, Direction direction, long channel, long tag,
      long rqType, Outcome outcome, long nanos) {
    boolean clientError = direction == Direction.INBOUND && outcome != Outcome.OK
        && clientErrors != null && clientErrors.take(c, channel, tag);
    Observation o = running.remove(new Key(c, direction, channel, tag));
    if (o == null) {
      return;
    }
    ((PacketStreamObservationContext) o.getContext())
        .outcome(RequestOutcome.of(direction, outcome, clientError));
    o.stop();
  }

  @Override
  public void connectionClosed(PacketConnection c, Optional<Throwable> failure) {
    // every request was reported ended before this; nothing of this connection should be left
    running.keySet().removeIf(k -> k.connection() == c);
  }
}
