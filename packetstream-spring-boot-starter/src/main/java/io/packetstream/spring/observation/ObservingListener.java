package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.handler.ClientErrors;

/**
 * Makes an {@link Observation} of every request on the connections of one builder (all of the
 * server's, or one client's): started when the core reports the request's start, stopped with its
 * outcome when the core reports its end. The core pairs the two events, so every observation
 * started is stopped, even that of a handler still running when its connection closes, whose end
 * the core reports after the close. The running ones are kept in {@link Running}, where the
 * handler's thread finds its request's to make it current.
 */
final class ObservingListener implements TrafficListener {

  private final ObservationRegistry registry;
  private final PacketStreamObservationConvention convention;
  private final ConnectionRole role;
  private final String name;
  private final PacketStreamObservations.RequestTypes types;
  private final ClientErrors clientErrors;
  private final Running running;
  private final KeyValuesCache keyValues = new KeyValuesCache();

  ObservingListener(
      ObservationRegistry registry,
      PacketStreamObservationConvention convention,
      ConnectionRole role,
      String name,
      PacketStreamObservations.RequestTypes types,
      ClientErrors clientErrors,
      Running running) {
    this.registry = registry;
    this.convention = convention;
    this.role = role;
    this.name = name;
    this.types = types;
    this.clientErrors = clientErrors;
    this.running = running;
  }

  @Override
  public void requestStarted(
      PacketConnection c, Direction direction, long channel, long tag, long rqType) {
    boolean inbound = direction == Direction.INBOUND;
    boolean knownChannel = !inbound || types.knownChannel(channel);
    boolean known = knownChannel && (!inbound || types.known(channel, rqType));
    Observation o =
        (inbound
                ? PacketStreamObservationDocumentation.SERVER_REQUESTS
                : PacketStreamObservationDocumentation.CLIENT_REQUESTS)
            .observation(
                convention,
                inbound
                    ? DefaultPacketStreamObservationConvention.SERVER
                    : DefaultPacketStreamObservationConvention.CLIENT,
                () ->
                    new PacketStreamObservationContext(
                        role,
                        name,
                        c,
                        direction,
                        channel,
                        tag,
                        rqType,
                        knownChannel,
                        known,
                        keyValues.slot(direction, channel, rqType, knownChannel, known)),
                registry);
    if (o.isNoop()) {
      // a predicate turned it off: nothing to stop
      return;
    }
    // the core times every request and says how long at its end
    ((PacketStreamObservationContext) o.getContext()).timedByConnection = true;
    running.put(c, direction, channel, tag, o.start());
  }

  @Override
  public void requestFinished(
      PacketConnection c,
      Direction direction,
      long channel,
      long tag,
      long rqType,
      Outcome outcome,
      long nanos) {
    boolean clientError =
        clientErrors != null && clientErrors.take(c, direction, channel, tag, outcome);
    Observation o = running.remove(c, direction, channel, tag);
    if (o == null) {
      return;
    }
    PacketStreamObservationContext context = (PacketStreamObservationContext) o.getContext();
    context.outcome(RequestOutcome.of(direction, outcome, clientError));
    context.duration(nanos);
    o.stop();
  }
}
