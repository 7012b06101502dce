package io.packetstream.spring.metrics;

import static io.packetstream.spring.metrics.PacketStreamMetrics.BYTES_RECEIVED;
import static io.packetstream.spring.metrics.PacketStreamMetrics.BYTES_SENT;
import static io.packetstream.spring.metrics.PacketStreamMetrics.PACKETS_RECEIVED;
import static io.packetstream.spring.metrics.PacketStreamMetrics.PACKETS_SENT;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_INBOUND;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_OUTBOUND;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_PENDING;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_RUNNING;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one connection, or of the aggregate of the server connections beyond the cap.
 * Request timers are cached per direction, request type and outcome, so recording one costs an
 * array (or map) lookup and the timer's own work; byte and packet counts of a connection with
 * meters of its own are read from the connection when the registry asks.
 *
 * <p>The peer chooses the types of its requests: an inbound type that no {@code @PacketHandler}
 * answers on its channel is tagged {@code rq.type=unknown}, so that a peer cannot add a timer per
 * type it invents. Outbound types are this end's own choice and keep their number.
 *
 * <p>Threads: requests end on the connection's threads, possibly after it closed, while
 * {@link #remove()} runs on the thread that saw it close. The lock of {@code meters} guards the
 * list of registered meters and {@code closed}; a timer is registered only under it and only
 * while not closed, so that none outlives {@link #remove()}. The cached timers are read without
 * the lock, from arrays that publish them safely.
 */
final class ConnectionMeters {

  /** The {@code rq.type} of inbound requests of a type no handler answers. */
  static final String UNKNOWN_TYPE = "unknown";

  private static final int DENSE_TYPES = 64;
  /** The key of the timers tagged {@link #UNKNOWN_TYPE}; real types are never negative. */
  private static final long UNKNOWN = -1;
  private static final Outcome[] OUTCOMES = Outcome.values();

  private final MeterRegistry registry;
  private final Tags tags;
  private final RequestTypes types;
  private final boolean aggregate;
  private final List<Meter> meters = new ArrayList<>();
  /** Guarded by {@code meters}: set by {@link #remove()}, after which nothing is registered. */
  private boolean closed;
  private final List<AtomicReferenceArray<Timer>> dense = List.of(
      new AtomicReferenceArray<>(DENSE_TYPES * OUTCOMES.length),
      new AtomicReferenceArray<>(DENSE_TYPES * OUTCOMES.length));
  private final AtomicReferenceArray<Timer> unknown = new AtomicReferenceArray<>(OUTCOMES.length);
  private final List<Map<Long, AtomicReferenceArray<Timer>>> sparse =
      List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());

  // aggregate only
  private final Set<PacketConnection> members = ConcurrentHashMap.newKeySet();
  private final Counter bytesSent;
  private final Counter bytesReceived;
  private final Counter packetsSent;
  private final Counter packetsReceived;

  /** Meters of {@code connection} alone; inbound types not in {@code types} are unknown. */
  ConnectionMeters(MeterRegistry registry, PacketConnection connection, Tags tags,
      RequestTypes types) {
    this.registry = registry;
    this.tags = tags;
    this.types = types;
    this.aggregate = false;
    this.bytesSent = null;
    this.bytesReceived = null;
    this.packetsSent = null;
    this.packetsReceived = null;
    add(FunctionCounter.builder(BYTES_SENT, connection, PacketConnection::bytesSent)
        .baseUnit("bytes").description("Bytes written to the peer").tags(tags).register(registry));
    add(FunctionCounter.builder(BYTES_RECEIVED, connection, PacketConnection::bytesReceived)
        .baseUnit("bytes").description("Bytes read from the peer").tags(tags).register(registry));
    add(FunctionCounter.builder(PACKETS_SENT, connection, PacketConnection::packetsSent)
        .baseUnit("packets").description("Packets written to the peer").tags(tags).register(registry));
    add(FunctionCounter.builder(PACKETS_RECEIVED, connection, PacketConnection::packetsReceived)
        .baseUnit("packets").description("Packets read from the peer").tags(tags).register(registry));
    gauges(connection, PacketConnection::pendingRequests, PacketConnection::runningRequests);
  }

  /** Shared meters of the connections tagged {@code tags} (connection=aggregate). */
  ConnectionMeters(MeterRegistry registry, Tags tags, RequestTypes types) {
    this.registry = registry;
    this.tags = tags;
    this.types = types;
    this.aggregate = true;
    this.bytesSent = Counter.builder(BYTES_SENT).baseUnit("bytes")
        .description("Bytes written to the peer").tags(tags).register(registry);
    this.bytesReceived = Counter.builder(BYTES_RECEIVED).baseUnit("bytes")
        .description("Bytes read from the peer").tags(tags).register(registry);
    this.packetsSent = Counter.builder(PACKETS_SENT).baseUnit("packets")
        .description("Packets written to the peer").tags(tags).register(registry);
    this.packetsReceived = Counter.builder(PACKETS_RECEIVED).baseUnit("packets")
        .description("Packets read from the peer").tags(tags).register(registry);
    gauges(members,
        m -> m.stream().mapToInt(PacketConnection::pendingRequests).sum(),
        m -> m.stream().mapToInt(PacketConnection::runningRequests).sum());
  }

  private <T> void gauges(T source, ToDoubleFunction<T> pending, ToDoubleFunction<T> running) {
    add(Gauge.builder(REQUESTS_PENDING, source, pending).baseUnit("requests")
        .description("Requests sent to the peer that await an answer").tags(tags)
        .strongReference(true).register(registry));
    add(Gauge.builder(REQUESTS_RUNNING, source, running).baseUnit("requests")
        .description("Requests from the peer whose handlers are running").tags(tags)
        .strongReference(true).register(registry));
  }

  private void add(Meter meter) {
    synchronized (meters) {
      meters.add(meter);
    }
  }

  boolean aggregate() {
    return aggregate;
  }

  void join(PacketConnection c) {
    members.add(c);
  }

  void leave(PacketConnection c) {
    members.remove(c);
  }

  void sent(int bytes) {
    bytesSent.increment(bytes);
    packetsSent.increment();
  }

  void received(int bytes) {
    bytesReceived.increment(bytes);
    packetsReceived.increment();
  }

  void record(Direction direction, long channel, long rqType, Outcome outcome, long nanos) {
    long key = direction == Direction.OUTBOUND || types.tagged(channel, rqType) ? rqType : UNKNOWN;
    Timer t = timer(direction, key, outcome);
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The timer, registered on first use; null once the meters are removed. */
  private Timer timer(Direction direction, long rqType, Outcome outcome) {
    int d = direction.ordinal();
    AtomicReferenceArray<Timer> row;
    int index;
    if (rqType == UNKNOWN) {
      row = unknown;
      index = outcome.ordinal();
    } else if (rqType < DENSE_TYPES) {
      row = dense.get(d);
      index = (int) rqType * OUTCOMES.length + outcome.ordinal();
    } else {
      row = sparse.get(d).computeIfAbsent(rqType, t -> new AtomicReferenceArray<>(OUTCOMES.length));
      index = outcome.ordinal();
    }
    Timer t = row.get(index);
    if (t != null) {
      return t;
    }
    synchronized (meters) {
      if (closed) {
        // the connection ended and its meters went: a late request must not bring one back
        return null;
      }
      t = row.get(index);
      if (t == null) {
        t = Timer.builder(direction == Direction.INBOUND ? REQUESTS_INBOUND : REQUESTS_OUTBOUND)
            .description(direction == Direction.INBOUND
                ? "Requests from the peer, from arrival to answer"
                : "Requests to the peer, from sending to answer")
            .tags(tags).tag("rq.type", rqType == UNKNOWN ? UNKNOWN_TYPE : Long.toString(rqType))
            .tag("outcome", outcome(outcome))
            .register(registry);
        row.set(index, t);
        meters.add(t);
      }
      return t;
    }
  }

  static String outcome(Outcome outcome) {
    switch (outcome) {
      case OK:
        return "ok";
      case FAILED:
        return "fail";
      case REJECTED:
        return "rejected";
      case TIMEOUT:
        return "timeout";
      case CANCELLED:
        return "cancelled";
      default:
        return "error";
    }
  }

  /** Which inbound request types get timers tagged with their number. */
  @FunctionalInterface
  interface RequestTypes {

    /** None: every inbound type is unknown. */
    RequestTypes NONE = (channel, rqType) -> false;

    /** Whether a handler answers {@code rqType} on {@code channel}. */
    boolean tagged(long channel, long rqType);
  }

  /** Removes this connection's meters from the registry. */
  void remove() {
    List<Meter> all;
    synchronized (meters) {
      closed = true;
      all = new ArrayList<>(meters);
      meters.clear();
    }
    for (Meter m : all) {
      registry.remove(m);
    }
  }
}
