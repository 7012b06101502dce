package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The observations of requests that started and have not ended, by connection, direction, channel
 * and tag: the listener adds and removes them on the connection's threads, the handler's thread
 * looks its request's up to make it current.
 */
final class Running {

  /** A request's identity; its hash made once, its comparison cheap (it is made per request). */
  private static final class Key {
    private final PacketConnection connection;
    private final Direction direction;
    private final long channel;
    private final long tag;
    private final int hash;

    Key(PacketConnection connection, Direction direction, long channel, long tag) {
      this.connection = connection;
      this.direction = direction;
      this.channel = channel;
      this.tag = tag;
      this.hash =
          (System.identityHashCode(connection) * 31 + direction.ordinal()) * 31
              + Long.hashCode(channel * 0x9E3779B97F4A7C15L + tag);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.tag == tag
          && k.connection == connection
          && k.channel == channel
          && k.direction == direction;
    }
  }

  private final Map<Key, Observation> running = new ConcurrentHashMap<>();

  void put(PacketConnection c, Direction direction, long channel, long tag, Observation o) {
    running.put(new Key(c, direction, channel, tag), o);
  }

  Observation get(PacketConnection c, Direction direction, long channel, long tag) {
    return running.get(new Key(c, direction, channel, tag));
  }

  Observation remove(PacketConnection c, Direction direction, long channel, long tag) {
    return running.remove(new Key(c, direction, channel, tag));
  }

  void forget(PacketConnection c) {
    running.keySet().removeIf(k -> k.connection == c);
  }
}
