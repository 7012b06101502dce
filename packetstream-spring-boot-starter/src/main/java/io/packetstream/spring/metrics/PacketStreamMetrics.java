package io.packetstream.spring.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.connection.ConnectionRole;
import io.packetstream.spring.connection.PacketConnectionCustomizer;
import io.packetstream.spring.handler.PacketHandlers;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters for every connection of the starter, attached to each builder as a traffic
 * listener: bytes and packets each way, request timers by type and outcome, pending and running
 * requests, and open connections per role. A connection's meters go when it ends; server
 * connections beyond {@code maxTaggedConnections} share meters tagged
 * {@code connection=aggregate}. The peer's requests are tagged with their type only when a
 * {@code @PacketHandler} answers that type on that channel, {@code rq.type=unknown} otherwise: a
 * peer cannot add meters by inventing request types.
 */
public final class PacketStreamMetrics implements PacketConnectionCustomizer {

  /** Gauge of open connections, tagged {@code role}. */
  public static final String CONNECTIONS_OPEN = "packetstream.connections.open";

  private final MeterRegistry registry;
  private final int maxTaggedConnections;
  private final ConnectionMeters.RequestTypes types;
  private final Map<ConnectionRole, AtomicInteger> open = new EnumMap<>(ConnectionRole.class);
  private final Map<ConnectionRole, AtomicInteger> tagged = new EnumMap<>(ConnectionRole.class);
  private final Map<ConnectionRole, ConnectionMeters> aggregates = new EnumMap<>(ConnectionRole.class);

  /**
   * Meters in {@code registry}; at most {@code maxTaggedConnections} server connections get
   * meters of their own. Without handlers to ask, every request of the peer is tagged
   * {@code rq.type=unknown}.
   */
  public PacketStreamMetrics(MeterRegistry registry, int maxTaggedConnections) {
    this(registry, maxTaggedConnections, ConnectionMeters.RequestTypes.NONE);
  }

  /**
   * Meters in {@code registry}; at most {@code maxTaggedConnections} server connections get
   * meters of their own; the peer's requests are tagged with their type when one of
   * {@code handlers} answers it.
   */
  public PacketStreamMetrics(MeterRegistry registry, int maxTaggedConnections,
      PacketHandlers handlers) {
    this(registry, maxTaggedConnections, handlers::handles);
  }

  private PacketStreamMetrics(MeterRegistry registry, int maxTaggedConnections,
      ConnectionMeters.RequestTypes types) {
    this.registry = registry;
    this.maxTaggedConnections = maxTaggedConnections;
    this.types = types;
    for (ConnectionRole role : ConnectionRole.values()) {
      AtomicInteger n = new AtomicInteger();
      open.put(role, n);
      tagged.put(role, new AtomicInteger());
      Gauge.builder(CONNECTIONS_OPEN, n, AtomicInteger::get).baseUnit("connections")
          .description("Connections open now").tag("role", role.tag()).register(registry);
    }
  }

  @Override
  public void customize(PacketConnection.Builder builder, ConnectionRole role, String name) {
    builder.listener(new MeteringListener(this, registry, role));
  }

  ConnectionMeters.RequestTypes types() {
    return types;
  }

  int maxTaggedConnections() {
    return maxTaggedConnections;
  }

  AtomicInteger open(ConnectionRole role) {
    return open.get(role);
  }

  AtomicInteger tagged(ConnectionRole role) {
    return tagged.get(role);
  }

  synchronized ConnectionMeters aggregate(ConnectionRole role) {
    return aggregates.computeIfAbsent(role, r -> new ConnectionMeters(registry,
        Tags.of("connection", "aggregate", "role", r.tag(), "remote", "aggregate"), types));
  }
}
