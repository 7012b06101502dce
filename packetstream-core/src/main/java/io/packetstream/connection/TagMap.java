package io.packetstream.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hash map from (channel, tag) to a value, without boxing: the connection looks one up for every
 * packet. Open addressing with linear probing and backward-shift deletion. Not thread-safe: the
 * connection guards each one with a lock.
 *
 * <p>The peer chooses the tags of its requests, so the hash is seeded per map with random bits:
 * with a fixed hash a peer could pick tags that all share one probe chain and make every lookup
 * under the connection's lock walk all of them. Seeded, the slots a peer's tags land in are as good
 * as random to it, and differ from one connection to the next.
 */
final class TagMap<V> {

  private long[] channels;
  private long[] tags;
  private Object[] values;
  private int size;
  private int mask;
  private final long tagSeed;
  private final long channelSeed;

  TagMap() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    tagSeed = random.nextLong();
    channelSeed = random.nextLong() | 1;
    allocate(8);
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  @SuppressWarnings("unchecked")
  V get(long channel, long tag) {
    for (int i = slot(channel, tag); values[i] != null; i = (i + 1) & mask) {
      if (tags[i] == tag && channels[i] == channel) {
        return (V) values[i];
      }
    }
    return null;
  }

  boolean containsKey(long channel, long tag) {
    return get(channel, tag) != null;
  }

  /** Adds the entry; the key must not be present. */
  void put(long channel, long tag, V value) {
    if (2 * (size + 1) > values.length) {
      grow();
    }
    int i = slot(channel, tag);
    while (values[i] != null) {
      i = (i + 1) & mask;
    }
    channels[i] = channel;
    tags[i] = tag;
    values[i] = value;
    size++;
  }

  @SuppressWarnings("unchecked")
  V remove(long channel, long tag) {
    for (int i = slot(channel, tag); values[i] != null; i = (i + 1) & mask) {
      if (tags[i] == tag && channels[i] == channel) {
        V old = (V) values[i];
        shiftBack(i);
        size--;
        return old;
      }
    }
    return null;
  }

  /** Removes and returns every value. */
  @SuppressWarnings("unchecked")
  List<V> clear() {
    List<V> all = new ArrayList<>(size);
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        all.add((V) values[i]);
        values[i] = null;
      }
    }
    size = 0;
    return all;
  }

  /**
   * The most slots any lookup of a present key visits, its own slot included: 1 when every entry
   * sits in its home slot. For tests that check that chosen keys cannot pile into one chain.
   */
  int longestProbe() {
    int longest = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        longest = Math.max(longest, ((i - slot(channels[i], tags[i])) & mask) + 1);
      }
    }
    return longest;
  }

  private void shiftBack(int hole) {
    int i = hole;
    while (true) {
      i = (i + 1) & mask;
      if (values[i] == null) {
        break;
      }
      int home = slot(channels[i], tags[i]);
      // move the entry into the hole unless its home lies cyclically in (hole, i]
      boolean stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (!stays) {
        channels[hole] = channels[i];
        tags[hole] = tags[i];
        values[hole] = values[i];
        hole = i;
      }
    }
    values[hole] = null;
  }

  /** The home slot of a key: where its probe starts. */
  int slot(long channel, long tag) {
    long h = (tag ^ tagSeed) + channel * channelSeed;
    // MurmurHash3's 64-bit finalizer: every bit of h moves about half the bits of the slot
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return (int) (h ^ (h >>> 33)) & mask;
  }

  private void grow() {
    long[] oldChannels = channels;
    long[] oldTags = tags;
    Object[] oldValues = values;
    allocate(values.length * 2);
    size = 0;
    for (int i = 0; i < oldValues.length; i++) {
      if (oldValues[i] != null) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldChannels[i], oldTags[i], v);
      }
    }
  }

  private void allocate(int capacity) {
    channels = new long[capacity];
    tags = new long[capacity];
    values = new Object[capacity];
    mask = capacity - 1;
  }
}
