package io.packetstream.spring.metrics;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.handler.ClientErrors;
import io.packetstream.spring.observation.RequestOutcome;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the meters of every connection opened by one builder (all of the server's, or one
 * client's), from its opening to its end.
 */
final class MeteringListener implements TrafficListener {

  private final PacketStreamMetrics.Group group;
  private final ClientErrors clientErrors;
  private final Map<PacketConnection, ConnectionMeters> live = new ConcurrentHashMap<>();

  /**
   * Ended connections whose handlers may still finish: those outcomes count on the group's meters,
   * which outlive them. Weak, so each entry goes with its connection.
   */
  private final Map<PacketConnection, ConnectionMeters> ended =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final boolean requestTimers;

  MeteringListener(
      PacketStreamMetrics.Group group, ClientErrors clientErrors, boolean requestTimers) {
    this.group = group;
    this.clientErrors = clientErrors;
    this.requestTimers = requestTimers;
  }

  @Override
  public void connectionOpened(PacketConnection c) {
    ConnectionMeters meters = group.meters(c);
    meters.join(c);
    live.put(c, meters);
  }

  @Override
  public void connectionClosed(PacketConnection c, Optional<Throwable> failure) {
    ConnectionMeters meters = live.remove(c);
    if (meters == null) {
      return;
    }
    meters.leave(c);
    if (group.release(meters, c)) {
      ended.put(c, meters);
    }
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
    if (!requestTimers) {
      return;
    }
    boolean clientError =
        clientErrors != null && clientErrors.take(c, direction, channel, tag, outcome);
    ConnectionMeters m = live.get(c);
    if (m == null) {
      // a handler that finished after its connection ended; a connection's own meters are gone
      // by then, the group's stay
      m = ended.get(c);
    }
    if (m != null) {
      m.record(
          direction, channel, rqType, RequestOutcome.of(direction, outcome, clientError), nanos);
    }
  }
}
