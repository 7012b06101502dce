package io.packetstream.spring.metrics;

import static io.packetstream.spring.metrics.PacketStreamMetrics.BYTES_RECEIVED;
import static io.packetstream.spring.metrics.PacketStreamMetrics.BYTES_SENT;
import static io.packetstream.spring.metrics.PacketStreamMetrics.PACKETS_RECEIVED;
import static io.packetstream.spring.metrics.PacketStreamMetrics.PACKETS_SENT;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_INBOUND;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_OUTBOUND;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_PENDING;
import static io.packetstream.spring.metrics.PacketStreamMetrics.REQUESTS_RUNNING;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.observation.RequestOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToLongFunction;

/**
 * The meters of a set of connections: all of a server's or of one client's (the default), or one
 * connection's own when per-connection meters are asked for. Byte and packet counts are read from
 * the connections when the registry asks, plus what the connections that left counted, so that
 * recording them costs nothing per packet and a connection shorter than a scrape interval still
 * counts. Request timers are cached per direction, request type and outcome, so recording one costs
 * an array (or map) lookup and the timer's own work.
 *
 * <p>The peer chooses the types of its requests: an inbound type that no {@code @PacketHandler}
 * answers on its channel is tagged {@code rq.type=unknown}, so that a peer cannot add a timer per
 * type it invents. Outbound types are this end's own choice and keep their number.
 *
 * <p>Threads: requests end on the connection's threads, possibly after it closed, while {@link
 * #remove()} runs on the thread that saw it close. The lock of {@code meters} guards the list of
 * registered meters and {@code closed}; a timer is registered only under it and only while not
 * closed, so that none outlives {@link #remove()}. The cached timers are read without the lock,
 * from arrays that publish them safely. The lock of {@code members} guards the members and the
 * counts of those that left, so that a count never goes back.
 */
final class ConnectionMeters {

  /** The {@code rq.type} of inbound requests of a type no handler answers. */
  static final String UNKNOWN_TYPE = "unknown";

  private static final int DENSE_TYPES = 64;

  /** The key of the timers tagged {@link #UNKNOWN_TYPE}; real types are never negative. */
  private static final long UNKNOWN = -1;

  private static final RequestOutcome[] OUTCOMES = RequestOutcome.values();
  private static final List<ToLongFunction<PacketConnection>> COUNTS =
      List.of(
          PacketConnection::bytesSent, PacketConnection::bytesReceived,
          PacketConnection::packetsSent, PacketConnection::packetsReceived);

  private final MeterRegistry registry;
  private final Tags tags;
  private final RequestTypes types;
  private final List<Meter> meters = new ArrayList<>();

  /** Guarded by {@code meters}: set by {@link #remove()}, after which nothing is registered. */
  private boolean closed;

  private final List<AtomicReferenceArray<Timer>> dense =
      List.of(
          new AtomicReferenceArray<>(DENSE_TYPES * OUTCOMES.length),
          new AtomicReferenceArray<>(DENSE_TYPES * OUTCOMES.length));
  private final AtomicReferenceArray<Timer> unknown = new AtomicReferenceArray<>(OUTCOMES.length);
  private final List<Map<Long, AtomicReferenceArray<Timer>>> sparse =
      List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());

  private final Set<PacketConnection> members = ConcurrentHashMap.newKeySet();

  /** Guarded by {@code members}: the counts of {@link #COUNTS} of the connections that left. */
  private final long[] left = new long[COUNTS.size()];

  /** Meters tagged {@code tags}, for the connections that {@link #join} them. */
  ConnectionMeters(MeterRegistry registry, Tags tags, RequestTypes types) {
    this.registry = registry;
    this.tags = tags;
    this.types = types;
    add(
        FunctionCounter.builder(BYTES_SENT, this, m -> m.count(0))
            .baseUnit("bytes")
            .description("Bytes written to the peer")
            .tags(tags)
            .register(registry));
    add(
        FunctionCounter.builder(BYTES_RECEIVED, this, m -> m.count(1))
            .baseUnit("bytes")
            .description("Bytes read from the peer")
            .tags(tags)
            .register(registry));
    add(
        FunctionCounter.builder(PACKETS_SENT, this, m -> m.count(2))
            .description("Packets written to the peer, control packets included")
            .tags(tags)
            .register(registry));
    add(
        FunctionCounter.builder(PACKETS_RECEIVED, this, m -> m.count(3))
            .description("Packets read from the peer, control packets included")
            .tags(tags)
            .register(registry));
    add(
        Gauge.builder(REQUESTS_PENDING, this, m -> m.sum(PacketConnection::pendingRequests))
            .description("Requests sent to the peer that await an answer")
            .tags(tags)
            .strongReference(true)
            .register(registry));
    add(
        Gauge.builder(REQUESTS_RUNNING, this, m -> m.sum(PacketConnection::runningRequests))
            .description("Requests from the peer whose handlers are running")
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  private double count(int which) {
    ToLongFunction<PacketConnection> f = COUNTS.get(which);
    synchronized (members) {
      long total = left[which];
      for (PacketConnection c : members) {
        total += f.applyAsLong(c);
      }
      return total;
    }
  }

  private double sum(ToLongFunction<PacketConnection> f) {
    long total = 0;
    for (PacketConnection c : members) {
      total += f.applyAsLong(c);
    }
    return total;
  }

  private void add(Meter meter) {
    synchronized (meters) {
      meters.add(meter);
    }
  }

  void join(PacketConnection c) {
    synchronized (members) {
      members.add(c);
    }
  }

  /** {@code c} ended: what it counted stays in the counts. */
  void leave(PacketConnection c) {
    synchronized (members) {
      if (members.remove(c)) {
        for (int i = 0; i < left.length; i++) {
          left[i] += COUNTS.get(i).applyAsLong(c);
        }
      }
    }
  }

  /** Adds what {@code c}, which ended on meters of its own, counted. */
  void absorb(PacketConnection c) {
    synchronized (members) {
      for (int i = 0; i < left.length; i++) {
        left[i] += COUNTS.get(i).applyAsLong(c);
      }
    }
  }

  void record(Direction direction, long channel, long rqType, RequestOutcome outcome, long nanos) {
    long key = direction == Direction.OUTBOUND || types.tagged(channel, rqType) ? rqType : UNKNOWN;
    Timer t = timer(direction, key, outcome);
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The timer, registered on first use; null once the meters are removed. */
  private Timer timer(Direction direction, long rqType, RequestOutcome outcome) {
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
        t =
            Timer.builder(direction == Direction.INBOUND ? REQUESTS_INBOUND : REQUESTS_OUTBOUND)
                .description(
                    direction == Direction.INBOUND
                        ? "Requests from the peer, from arrival to answer"
                        : "Requests to the peer, from sending to answer")
                .tags(tags)
                .tag("rq.type", rqType == UNKNOWN ? UNKNOWN_TYPE : Long.toString(rqType))
                .tag("outcome", outcome.name())
                .register(registry);
        row.set(index, t);
        meters.add(t);
      }
      return t;
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

  /** Removes these meters from the registry; for a connection's own meters when it ends. */
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
