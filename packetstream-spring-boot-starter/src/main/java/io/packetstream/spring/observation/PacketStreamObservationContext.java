package io.packetstream.spring.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.context.ConnectionRole;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * What an observation of one request knows: which server or client, which connection, which way,
 * the channel, tag and type, and at the end its outcome. Conventions read it to name keys.
 *
 * <p>It keeps its key values as the {@link KeyValues} it was given rather than in a map per
 * context, as {@link Observation.Context} does: a request's observation gets the same few, usually
 * cached, values at start and stop, and keeping them whole spares a map, its table and a sort per
 * read on every request. What it offers is the same.
 */
public final class PacketStreamObservationContext extends Observation.Context {

  private final ConnectionRole role;
  private final String endpointName;
  private final PacketConnection connection;
  private final Direction direction;
  private final long channel;
  private final long tag;
  private final long requestType;
  private final boolean knownChannel;
  private final boolean knownType;
  private RequestOutcome outcome;
  private final Held low = new Held();
  private final Held high = new Held();

  /** Key values made for this context's kind of request, by outcome; may be null. */
  private final KeyValues[] keyValues;

  /** What a meter handler keeps between start and stop (Micrometer's types stay optional). */
  Object meterSample;

  /** The default convention's high-cardinality values, made once per request. */
  KeyValues highCardinalityKeyValues;

  /** When a meter handler started timing, by its registry's clock; read only with that clock. */
  long meterStartNanos;

  /**
   * Whether the connection measures the request and reports it with {@link #duration(long)} before
   * the observation stops, so that a meter handler on the system clock need not read it twice more.
   */
  boolean timedByConnection;

  /** The request's duration as the connection measured it, -1 until it ended. */
  long durationNanos = -1;

  PacketStreamObservationContext(
      ConnectionRole role,
      String endpointName,
      PacketConnection connection,
      Direction direction,
      long channel,
      long tag,
      long requestType,
      boolean knownChannel,
      boolean knownType,
      KeyValues[] keyValues) {
    this.keyValues = keyValues;
    this.role = role;
    this.endpointName = endpointName;
    this.connection = connection;
    this.direction = direction;
    this.channel = channel;
    this.tag = tag;
    this.requestType = requestType;
    this.knownChannel = knownChannel;
    this.knownType = knownType;
  }

  /** Whether the server accepted the connection or a client made it. */
  public ConnectionRole role() {
    return role;
  }

  /** The name of the server or client the connection belongs to. */
  public String endpointName() {
    return endpointName;
  }

  /** The connection the request travels on. */
  public PacketConnection connection() {
    return connection;
  }

  /** Inbound: the peer asked, this end answers; outbound: the other way. */
  public Direction direction() {
    return direction;
  }

  /** The request's channel. */
  public long channel() {
    return channel;
  }

  /** The requester's tag for the request. */
  public long tag() {
    return tag;
  }

  /** The request type. */
  public long requestType() {
    return requestType;
  }

  /**
   * Whether the channel may be a tag value: always for outbound requests (this end's own choice),
   * for inbound ones only when a {@code @PacketHandler} answers on it, so that a peer cannot invent
   * series by choosing channels.
   */
  public boolean knownChannel() {
    return knownChannel;
  }

  /**
   * Whether the request type may be a tag value: always for outbound requests (this end's own
   * choice), for inbound ones only when a {@code @PacketHandler} answers it on its channel, so that
   * a peer cannot invent series. False whenever {@link #knownChannel()} is.
   */
  public boolean knownType() {
    return knownType;
  }

  /** How the request ended; null until it has. */
  public RequestOutcome outcome() {
    return outcome;
  }

  void outcome(RequestOutcome outcome) {
    this.outcome = outcome;
  }

  /** The request ended {@code nanos} after it started, as the connection measured it. */
  void duration(long nanos) {
    this.durationNanos = nanos;
  }

  /** The cached key values for the current outcome, or null when none were made yet. */
  KeyValues cachedKeyValues() {
    return keyValues == null ? null : keyValues[outcome == null ? 0 : outcome.ordinal() + 1];
  }

  /** Keeps {@code values} for this kind of request and its current outcome. */
  void cacheKeyValues(KeyValues values) {
    if (keyValues != null) {
      keyValues[outcome == null ? 0 : outcome.ordinal() + 1] = values;
    }
  }

  @Override
  public Observation.Context addLowCardinalityKeyValue(KeyValue keyValue) {
    low.add(KeyValues.of(keyValue));
    return this;
  }

  @Override
  public Observation.Context addLowCardinalityKeyValues(KeyValues keyValues) {
    low.add(keyValues);
    return this;
  }

  @Override
  public Observation.Context removeLowCardinalityKeyValue(String key) {
    low.remove(key);
    return this;
  }

  @Override
  public Observation.Context removeLowCardinalityKeyValues(String... keys) {
    low.remove(keys);
    return this;
  }

  @Override
  public KeyValues getLowCardinalityKeyValues() {
    return low.values;
  }

  @Override
  public KeyValue getLowCardinalityKeyValue(String key) {
    return find(low.values, key);
  }

  @Override
  public Observation.Context addHighCardinalityKeyValue(KeyValue keyValue) {
    high.add(KeyValues.of(keyValue));
    return this;
  }

  @Override
  public Observation.Context addHighCardinalityKeyValues(KeyValues keyValues) {
    high.add(keyValues);
    return this;
  }

  @Override
  public Observation.Context removeHighCardinalityKeyValue(String key) {
    high.remove(key);
    return this;
  }

  @Override
  public Observation.Context removeHighCardinalityKeyValues(String... keys) {
    high.remove(keys);
    return this;
  }

  @Override
  public KeyValues getHighCardinalityKeyValues() {
    return high.values;
  }

  @Override
  public KeyValue getHighCardinalityKeyValue(String key) {
    return find(high.values, key);
  }

  /**
   * One kind of key values, replaced whole on every change, by compare-and-set: a request's
   * observation is changed by one thread at a time, so the common case is one uncontended swap, or
   * none when the values are the ones already held.
   */
  private static final class Held {
    private static final AtomicReferenceFieldUpdater<Held, KeyValues> VALUES =
        AtomicReferenceFieldUpdater.newUpdater(Held.class, KeyValues.class, "values");

    volatile KeyValues values = KeyValues.empty();

    /** {@code added} over the values; {@code added} itself when it has every key they have. */
    void add(KeyValues added) {
      KeyValues old;
      KeyValues now;
      do {
        old = values;
        now = old == added || sameKeys(old, added) ? added : merge(old, added);
      } while (now != old && !VALUES.compareAndSet(this, old, now));
    }

    void remove(String... keys) {
      KeyValues old;
      KeyValues now;
      do {
        old = values;
        now = old;
        for (String key : keys) {
          if (find(now, key) != null) {
            now = KeyValues.of(now.stream().filter(kv -> !kv.getKey().equals(key)).toList());
          }
        }
      } while (now != old && !VALUES.compareAndSet(this, old, now));
    }

    /** Whether both have the same keys: key values are sorted by key, so side by side. */
    private static boolean sameKeys(KeyValues a, KeyValues b) {
      Iterator<KeyValue> i = a.iterator();
      Iterator<KeyValue> j = b.iterator();
      while (i.hasNext() && j.hasNext()) {
        String key = i.next().getKey();
        String other = j.next().getKey();
        if (key != other && !key.equals(other)) {
          return false;
        }
      }
      return !i.hasNext() && !j.hasNext();
    }

    private static KeyValues merge(KeyValues old, KeyValues added) {
      for (KeyValue kv : old) {
        if (find(added, kv.getKey()) == null) {
          return old.and(added);
        }
      }
      return added;
    }
  }

  private static KeyValue find(KeyValues values, String key) {
    for (KeyValue kv : values) {
      if (kv.getKey().equals(key)) {
        return kv;
      }
    }
    return null;
  }
}
