package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The observations of requests that started and have not ended, by connection, direction, channel
 * and tag: the listener adds and removes them on the connection's threads, the handler's thread
 * looks its request's up to make it current.
 *
 * <p>Every request passes through here twice or three times, so the common case is a table of
 * entries that a request claims with one compare-and-set near its hash and frees with another: no
 * key object, no size counter and no lock, which a concurrent map's put and remove each take. A
 * request that finds no free place among its few (many requests of one hash, or more running than
 * the table holds) goes to a map instead; lookups try the table, then the map when it has any.
 */
final class Running {

  /** A running request and its observation. */
  private record Entry(
      PacketConnection connection,
      Direction direction,
      long channel,
      long tag,
      Observation observation) {

    boolean is(PacketConnection c, Direction d, long ch, long t) {
      return tag == t && connection == c && channel == ch && direction == d;
    }
  }

  /**
   * The overflow map's key (the entry's identity without its observation); a record's equality
   * compares the connection by identity, as PacketConnection does not define its own.
   */
  private record Key(PacketConnection connection, Direction direction, long channel, long tag) {}

  /** Places in the table: more than the requests a few busy connections keep running at once. */
  static final int SIZE = 4096;

  /** Places a request may take or be found at, from its hash on. */
  static final int PROBES = 8;

  private final AtomicReferenceArray<Entry> table = new AtomicReferenceArray<>(SIZE);
  private final Map<Key, Observation> overflow = new ConcurrentHashMap<>();

  private static int hash(PacketConnection c, Direction direction, long channel, long tag) {
    long h =
        (System.identityHashCode(c) * 0x9E3779B97F4A7C15L + direction.ordinal()) * 31
            + channel * 0xC2B2AE3D27D4EB4FL
            + tag;
    return (int) (h ^ (h >>> 32));
  }

  void put(PacketConnection c, Direction direction, long channel, long tag, Observation o) {
    int h = hash(c, direction, channel, tag);
    Entry e = new Entry(c, direction, channel, tag, o);
    for (int i = 0; i < PROBES; i++) {
      int at = (h + i) & (SIZE - 1);
      if (table.get(at) == null && table.compareAndSet(at, null, e)) {
        return;
      }
    }
    overflow.put(new Key(c, direction, channel, tag), o);
  }

  Observation get(PacketConnection c, Direction direction, long channel, long tag) {
    int h = hash(c, direction, channel, tag);
    for (int i = 0; i < PROBES; i++) {
      Entry e = table.get((h + i) & (SIZE - 1));
      if (e != null && e.is(c, direction, channel, tag)) {
        return e.observation();
      }
    }
    return overflow.isEmpty() ? null : overflow.get(new Key(c, direction, channel, tag));
  }

  Observation remove(PacketConnection c, Direction direction, long channel, long tag) {
    int h = hash(c, direction, channel, tag);
    for (int i = 0; i < PROBES; i++) {
      int at = (h + i) & (SIZE - 1);
      Entry e = table.get(at);
      if (e != null && e.is(c, direction, channel, tag) && table.compareAndSet(at, e, null)) {
        return e.observation();
      }
    }
    return overflow.isEmpty() ? null : overflow.remove(new Key(c, direction, channel, tag));
  }
}
