package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The (channel, tag) table behaves as a map, and a peer that picks its tags cannot make them share
 * one probe chain.
 */
@Timeout(60)
class TagMapTest {

  private static final long OLD_CHANNEL_MULTIPLIER = 0x9E3779B97F4A7C15L;
  private static final long OLD_MULTIPLIER = 0xBF58476D1CE4E5B9L;

  /** The unseeded slot function the table once had, which a peer can compute as well as we can. */
  private static int oldSlot(long channel, long tag, int mask) {
    long h = (tag ^ (channel * OLD_CHANNEL_MULTIPLIER)) * OLD_MULTIPLIER;
    return (int) (h ^ (h >>> 31)) & mask;
  }

  /**
   * Tags that the old function puts all in slot 0 of any table up to 2^20 slots: each is the old
   * function run backwards from a value whose low 20 bits are zero.
   */
  private static List<Long> collidingTags(int count) {
    long inverse = OLD_MULTIPLIER; // Newton's iteration: each step doubles the correct low bits
    for (int i = 0; i < 6; i++) {
      inverse *= 2 - OLD_MULTIPLIER * inverse;
    }
    List<Long> tags = new ArrayList<>(count);
    for (long i = 1; i <= count; i++) {
      long mixed = i << 20;
      long h = mixed ^ (mixed >>> 31) ^ (mixed >>> 62); // undoes h ^ (h >>> 31)
      tags.add(h * inverse); // channel 0: the channel term is 0
    }
    return tags;
  }

  @Test
  void tagsChosenToCollideUnderAFixedHashDoNotShareAProbeChain() {
    List<Long> tags = collidingTags(10_000);
    assertThat(tags.stream().mapToInt(t -> oldSlot(0, t, (1 << 20) - 1)).distinct())
        .as("the adversary's tags all collide under the fixed hash")
        .containsExactly(0);
    assertThat(new HashSet<>(tags)).hasSize(10_000);

    TagMap<Long> map = new TagMap<>();
    for (long tag : tags) {
      map.put(0, tag, tag);
    }
    // with every tag in one chain the longest probe would be 10,000 slots
    assertThat(map.longestProbe()).isLessThan(100);
    for (long tag : tags) {
      assertThat(map.get(0, tag)).isEqualTo(tag);
    }
  }

  @Test
  void twoMapsPlaceTheSameTagsDifferently() {
    // a peer that learned one connection's layout (by timing, say) learns nothing of the next
    List<Long> tags = collidingTags(1000);
    TagMap<Long> a = new TagMap<>();
    TagMap<Long> b = new TagMap<>();
    for (long tag : tags) {
      a.put(0, tag, tag);
      b.put(0, tag, tag);
    }
    int same = 0;
    for (long tag : tags) {
      if (a.slot(0, tag) == b.slot(0, tag)) {
        same++;
      }
    }
    assertThat(same).as("tags in the same slot of both maps").isLessThan(100);
  }

  @Test
  void behavesAsAMapUnderRandomPutsRemovesAndClears() {
    SplittableRandom random = new SplittableRandom(20_261_206L);
    record Key(long channel, long tag) {}
    TagMap<String> map = new TagMap<>();
    Map<Key, String> expected = new HashMap<>();
    for (int step = 0; step < 60_000; step++) {
      Key k = new Key(random.nextInt(4), random.nextInt(3000) - 100);
      int op = random.nextInt(100);
      if (op < 45) {
        if (!expected.containsKey(k)) {
          String v = k + "@" + step;
          map.put(k.channel(), k.tag(), v);
          expected.put(k, v);
        }
      } else if (op < 80) {
        assertThat(map.remove(k.channel(), k.tag())).isEqualTo(expected.remove(k));
      } else if (op < 99) {
        assertThat(map.get(k.channel(), k.tag())).isEqualTo(expected.get(k));
        assertThat(map.containsKey(k.channel(), k.tag())).isEqualTo(expected.containsKey(k));
      } else if (random.nextInt(50) == 0) {
        List<String> cleared = map.clear();
        assertThat(cleared).containsExactlyInAnyOrderElementsOf(expected.values());
        expected.clear();
      }
      assertThat(map.size()).isEqualTo(expected.size());
    }
    for (Map.Entry<Key, String> e : expected.entrySet()) {
      assertThat(map.get(e.getKey().channel(), e.getKey().tag())).isEqualTo(e.getValue());
    }
    Set<String> all = new HashSet<>(map.clear());
    assertThat(all).isEqualTo(new HashSet<>(expected.values()));
    assertThat(map.isEmpty()).isTrue();
  }
}
