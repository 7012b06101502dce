package io.packetstream.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.connection.ConnectionRole;
import io.packetstream.wire.Packet;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the meters of every connection opened by one builder (all of the server's, or one
 * client's), from its opening to its end.
 */
final class MeteringListener implements TrafficListener {

  private final PacketStreamMetrics owner;
  private final MeterRegistry registry;
  private final ConnectionRole role;
  private final Map<PacketConnection, ConnectionMeters> live = new ConcurrentHashMap<>();
  /** Connections of this listener on the aggregate meters: while none, packets need no lookup. */
  private final AtomicInteger aggregated = new AtomicInteger();
  /**
   * Ended connections that were on the aggregate meters, whose handlers may still finish: those
   * outcomes count there too. Weak, so each entry goes with its connection.
   */
  private final Map<PacketConnection, ConnectionMeters> endedAggregated =
      Collections.synchronizedMap(new WeakHashMap<>());

  MeteringListener(PacketStreamMetrics owner, MeterRegistry registry, ConnectionRole role) {
    this.owner = owner;
    this.registry = registry;
    this.role = role;
  }

  @Override
  public void connectionOpened(PacketConnection c) {
    AtomicInteger tagged = owner.tagged(role);
    ConnectionMeters meters;
    if (role == ConnectionRole.CLIENT || tagged.incrementAndGet() <= owner.maxTaggedConnections()) {
      String remote = c.remoteAddress().map(Object::toString).orElse("none");
      meters = new ConnectionMeters(registry, c,
          Tags.of("connection", c.name(), "role", role.tag(), "remote", remote), owner.types());
    } else {
      tagged.decrementAndGet();
      meters = owner.aggregate(role);
      meters.join(c);
      aggregated.incrementAndGet();
    }
    live.put(c, meters);
    owner.open(role).incrementAndGet();
  }

  @Override
  public void connectionClosed(PacketConnection c, Optional<Throwable> failure) {
    ConnectionMeters meters = live.remove(c);
    if (meters == null) {
      return;
    }
    owner.open(role).decrementAndGet();
    if (meters.aggregate()) {
      meters.leave(c);
      aggregated.decrementAndGet();
      endedAggregated.put(c, meters);
    } else {
      if (role == ConnectionRole.SERVER) {
        owner.tagged(role).decrementAndGet();
      }
      meters.remove();
    }
  }

  @Override
  public void packetSent(PacketConnection c, Packet packet, int bytes) {
    if (aggregated.get() == 0) {
      return;
    }
    ConnectionMeters m = live.get(c);
    if (m != null && m.aggregate()) {
      m.sent(bytes);
    }
  }

  @Override
  public void packetReceived(PacketConnection c, Packet packet, int bytes) {
    if (aggregated.get() == 0) {
      return;
    }
    ConnectionMeters m = live.get(c);
    if (m != null && m.aggregate()) {
      m.received(bytes);
    }
  }

  @Override
  public void requestFinished(PacketConnection c, Direction direction, long channel, long tag,
      long rqType, Outcome outcome, long nanos) {
    ConnectionMeters m = live.get(c);
    if (m == null) {
      // a handler that finished after its connection ended; a connection's own meters are gone
      // by then, the aggregate ones stay
      m = endedAggregated.get(c);
    }
    if (m != null) {
      m.record(direction, channel, rqType, outcome, nanos);
    }
  }
}
