package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The observations of requests that started and have not ended, by connection, direction,
 * channel and tag: the listener adds and removes them on the connection's threads, the handler's
 * thread looks its request's up to make it current.
 */
final class Running {

  private record Key(PacketConnection connection, Direction direction, long channel, long tag) {}

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
    running.keySet().removeIf(k -> k.connection() == c);
  }
}
