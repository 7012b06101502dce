package io.packetstream.spring.observation;

import io.micrometer.common.KeyValues;
import io.packetstream.connection.TrafficListener.Direction;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The low-cardinality key values of one server's or client's requests, made once per direction,
 * channel, type and outcome instead of once per request: the default convention keeps them in the
 * slot a request's context carries. Bounded: inbound requests on a channel without a handler share
 * one {@code unknown} slot whatever their channel and type, inbound types without a handler share
 * their channel's {@code unknown} slot, and outbound channels and types are this end's own choice.
 */
final class KeyValuesCache {

  /** A slot's size: one entry per outcome, and one (the first) before the outcome is known. */
  static final int SLOT_SIZE = RequestOutcome.values().length + 1;

  /** Types below this on channel 0, the common case, are found in an array. */
  private static final int DENSE = 64;

  private static final int UNKNOWN = DENSE;

  /** Stands for every channel without a handler: channels are never negative. */
  private static final long UNKNOWN_CHANNEL = -1;

  private record Key(Direction direction, long channel, long type, boolean known) {}

  private final KeyValues[][][] channel0 = new KeyValues[2][DENSE + 1][];
  private final Map<Key, KeyValues[]> others = new ConcurrentHashMap<>();

  /**
   * The slot of requests of {@code rqType} on {@code channel} going {@code direction}; {@code
   * knownChannel} and {@code known} say whether the channel and the type keep their number.
   */
  KeyValues[] slot(
      Direction direction, long channel, long rqType, boolean knownChannel, boolean known) {
    if (!knownChannel) {
      channel = UNKNOWN_CHANNEL;
      known = false;
    }
    if (channel == 0 && (!known || (rqType >= 0 && rqType < DENSE))) {
      KeyValues[][] byType = channel0[direction.ordinal()];
      int i = known ? (int) rqType : UNKNOWN;
      KeyValues[] slot = byType[i];
      if (slot == null) {
        // two threads may both make one: either serves, the values are the same
        slot = new KeyValues[SLOT_SIZE];
        byType[i] = slot;
      }
      return slot;
    }
    return others.computeIfAbsent(
        new Key(direction, channel, known ? rqType : -1, known), k -> new KeyValues[SLOT_SIZE]);
  }
}
