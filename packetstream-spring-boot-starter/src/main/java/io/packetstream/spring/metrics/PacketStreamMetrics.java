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
 * listener (the constants below name them; each but {@link #CONNECTIONS_OPEN} is tagged
 * {@code connection}, {@code role} and {@code remote}): bytes and packets each way, request timers by type and outcome, pending and running
 * requests, and open connections per role. A connection's meters go when it ends; server
 * connections beyond {@code maxTaggedConnections} share meters tagged
 * {@code connection=aggregate}. The peer's requests are tagged with their type only when a
 * {@code @PacketHandler} answers that type on that channel, {@code rq.type=unknown} otherwise: a
 * peer cannot add meters by inventing request types.
 */
public final class PacketStreamMetrics implements PacketConnectionCustomizer {

  /** Gauge of open connections, tagged {@code role} only; never removed. */
  public static final String CONNECTIONS_OPEN = "packetstream.connections.open";

  /** Function counter (a counter on the aggregate) of bytes written to the peer. */
  public static final String BYTES_SENT = "packetstream.bytes.sent";

  /** Function counter (a counter on the aggregate) of bytes read from the peer. */
  public static final String BYTES_RECEIVED = "packetstream.bytes.received";

  /** Function counter (a counter on the aggregate) of packets written, control packets included. */
  public static final String PACKETS_SENT = "packetstream.packets.sent";

  /** Function counter (a counter on the aggregate) of packets read, control packets included. */
  public static final String PACKETS_RECEIVED = "packetstream.packets.received";

  /** Timer of the peer's requests, arrival to answer; also tagged {@code rq.type}, {@code outcome}. */
  public static final String REQUESTS_INBOUND = "packetstream.requests.inbound";

  /** Timer of this end's requests, sending to answer; also tagged {@code rq.type}, {@code outcome}. */
  public static final String REQUESTS_OUTBOUND = "packetstream.requests.outbound";

  /** Gauge of this end's requests awaiting an answer. */
  public static final String REQUESTS_PENDING = "packetstream.requests.pending";

  /** Gauge of the peer's requests whose handlers are running. */
  public static final String REQUESTS_RUNNING = "packetstream.requests.running";

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
