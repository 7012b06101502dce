package io.packetstream.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.ClientErrors;
import io.packetstream.spring.handler.PacketHandlers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters for every connection of the starter, attached to each builder as a traffic
 * listener (the constants below name them). Every meter is tagged {@code role} ({@code server} or
 * {@code client}) and {@code name} (the server's or the client's name), never with a peer's address
 * or a connection's serial number, which would make series without end: the meters of one server or
 * client add up all of its connections, those that ended included, so that a connection shorter
 * than a scrape interval is still counted.
 *
 * <p>Per-connection meters, when asked for ({@code maxTaggedConnections} above 0), are also tagged
 * {@code connection} with the connection's name, for at most that many connections per server or
 * client at a time; the rest, and the ended ones, count on meters tagged {@code
 * connection=aggregate}.
 *
 * <p>The peer's requests are tagged with their type only when a {@code @PacketHandler} answers that
 * type on that channel, {@code rq.type=unknown} otherwise: a peer cannot add meters by inventing
 * request types. {@code outcome} is one of {@code SUCCESS}, {@code CLIENT_ERROR} (the peer's
 * request could not be read), {@code SERVER_ERROR} (a handler threw or refused), {@code NOT_OK}
 * (the peer answered this end's request not-ok), {@code REJECTED}, {@code TIMEOUT}, {@code
 * CANCELLED} and {@code CLOSED} (the connection ended first).
 */
public final class PacketStreamMetrics implements PacketConnectionCustomizer {

  /** Gauge of open connections. */
  public static final String CONNECTIONS_OPEN = "packetstream.connections.open";

  /** Counter of connections opened, however short. */
  public static final String CONNECTIONS_OPENED = "packetstream.connections.opened";

  /** Function counter of bytes written to the peer (base unit bytes). */
  public static final String BYTES_SENT = "packetstream.sent";

  /** Function counter of bytes read from the peer (base unit bytes). */
  public static final String BYTES_RECEIVED = "packetstream.received";

  /** Function counter of packets written, control packets included. */
  public static final String PACKETS_SENT = "packetstream.packets.sent";

  /** Function counter of packets read, control packets included. */
  public static final String PACKETS_RECEIVED = "packetstream.packets.received";

  /**
   * Timer of the peer's requests, arrival to answer; also tagged {@code rq.type}, {@code outcome}.
   */
  public static final String REQUESTS_INBOUND = "packetstream.requests.inbound";

  /**
   * Timer of this end's requests, sending to answer; also tagged {@code rq.type}, {@code outcome}.
   */
  public static final String REQUESTS_OUTBOUND = "packetstream.requests.outbound";

  /** Gauge of this end's requests awaiting an answer. */
  public static final String REQUESTS_PENDING = "packetstream.requests.pending";

  /** Gauge of the peer's requests whose handlers are running. */
  public static final String REQUESTS_RUNNING = "packetstream.requests.running";

  private final MeterRegistry registry;
  private final int maxTaggedConnections;
  private final ConnectionMeters.RequestTypes types;
  private final ClientErrors clientErrors;
  private final boolean requestTimers;
  private final Map<String, Group> groups = new ConcurrentHashMap<>();

  /**
   * Meters in {@code registry}; at most {@code maxTaggedConnections} connections per server or
   * client get meters of their own (0: none). Without handlers to ask, every request of the peer is
   * tagged {@code rq.type=unknown}.
   */
  public PacketStreamMetrics(MeterRegistry registry, int maxTaggedConnections) {
    this(registry, maxTaggedConnections, ConnectionMeters.RequestTypes.NONE, null, true);
  }

  /**
   * Meters in {@code registry}; at most {@code maxTaggedConnections} connections per server or
   * client get meters of their own (0: none); the peer's requests are tagged with their type when
   * one of {@code handlers} answers it, and counted as client errors when they say so.
   */
  public PacketStreamMetrics(
      MeterRegistry registry, int maxTaggedConnections, PacketHandlers handlers) {
    this(registry, maxTaggedConnections, handlers::handles, handlers.clientErrors(), true);
  }

  private PacketStreamMetrics(
      MeterRegistry registry,
      int maxTaggedConnections,
      ConnectionMeters.RequestTypes types,
      ClientErrors clientErrors,
      boolean requestTimers) {
    if (maxTaggedConnections < 0) {
      throw new IllegalArgumentException(
          "maxTaggedConnections must be 0 or more, not " + maxTaggedConnections);
    }
    this.registry = registry;
    this.maxTaggedConnections = maxTaggedConnections;
    this.types = types;
    this.clientErrors = clientErrors;
    this.requestTimers = requestTimers;
    if (clientErrors != null && requestTimers) {
      clientErrors.enable();
    }
  }

  /**
   * The same meters without the request timers, for when request observations time the requests
   * ({@code packetstream.server.requests}, {@code packetstream.client.requests}). Call it before
   * any connection uses these meters.
   */
  public PacketStreamMetrics withoutRequestTimers() {
    return new PacketStreamMetrics(registry, maxTaggedConnections, types, clientErrors, false);
  }

  @Override
  public void customize(PacketConnection.Builder builder, ConnectionRole role, String name) {
    builder.listener(
        new MeteringListener(
            group(role, name), requestTimers ? clientErrors : null, requestTimers));
  }

  /** The meters of the server or client {@code name}. */
  Group group(ConnectionRole role, String name) {
    return groups.computeIfAbsent(role.tag() + "\u0000" + name, k -> new Group(role, name));
  }

  /** The meters of one server or client, and the connections of it with meters of their own. */
  final class Group {

    private final Tags tags;
    private final ConnectionMeters shared;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter opened;
    private final AtomicInteger tagged = new AtomicInteger();

    Group(ConnectionRole role, String name) {
      this.tags = Tags.of("role", role.tag(), "name", name);
      // one set of tag keys per meter name, as Prometheus wants
      this.shared =
          new ConnectionMeters(
              registry,
              maxTaggedConnections > 0 ? tags.and("connection", "aggregate") : tags,
              types);
      Gauge.builder(CONNECTIONS_OPEN, open, AtomicInteger::get)
          .description("Connections open now")
          .tags(tags)
          .register(registry);
      this.opened =
          Counter.builder(CONNECTIONS_OPENED)
              .description("Connections opened")
              .tags(tags)
              .register(registry);
    }

    /** The meters {@code c} counts on: its own while there is room, else the shared ones. */
    ConnectionMeters meters(PacketConnection c) {
      open.incrementAndGet();
      opened.increment();
      if (maxTaggedConnections > 0 && tagged.incrementAndGet() <= maxTaggedConnections) {
        return new ConnectionMeters(registry, tags.and("connection", c.name()), types);
      }
      if (maxTaggedConnections > 0) {
        tagged.decrementAndGet();
      }
      return shared;
    }

    /**
     * Connection {@code c} on {@code meters} ended: its own meters go; true if they were the shared
     * ones, which stay for its late requests.
     */
    boolean release(ConnectionMeters meters, PacketConnection c) {
      open.decrementAndGet();
      if (meters == shared) {
        return true;
      }
      tagged.decrementAndGet();
      meters.remove();
      // what it counted stays counted, on the aggregate
      shared.absorb(c);
      return false;
    }
  }
}
