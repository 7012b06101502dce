package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.wire.Packet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pending table keeps channel 0's requests in a ring indexed by tag: requests must be found by
 * their own key whatever the ring's size, through growth and past its largest size.
 */
class PendingTableRingTest {

  private final PendingTable table = new PendingTable(1_000_000);
  private final Outbound out = new Outbound(null, null, null, false, 0, Long.MAX_VALUE);

  private PendingRequest add(long channel) throws Exception {
    long tag = table.nextTag(channel);
    PendingRequest r = new PendingRequest(null, channel, tag, 7, 0);
    table.add(r, new Packet(channel, tag, 0, true, 7, new byte[0]), out);
    return r;
  }

  @Test
  void aWindowOfSequentialTagsIsFoundByKeyAndTheRingStaysSmall() throws Exception {
    List<PendingRequest> window = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      window.add(add(0));
    }
    for (int i = 0; i < 100_000; i++) {
      PendingRequest oldest = window.remove(0);
      assertThat(table.remove(0, oldest.tag)).isSameAs(oldest);
      assertThat(table.remove(0, oldest.tag)).isNull(); // a second answer finds nothing
      window.add(add(0));
    }
    assertThat(table.size()).isEqualTo(256);
    // 256 tags in flight fit 256 slots; one more older request would make it double once
    assertThat(table.ringSlots()).isLessThanOrEqualTo(512);
    for (PendingRequest r : window) {
      assertThat(table.remove(r)).isTrue();
    }
    assertThat(table.isEmpty()).isTrue();
  }

  @Test
  void aRequestOutlivingTheLargestRingMovesTheNewcomersToTheMapAndAllAreFound() throws Exception {
    PendingRequest stuck = add(0);
    PendingRequest other = add(5);
    List<PendingRequest> later = new ArrayList<>();
    for (int i = 0; i < 3 * PendingTable.MAX_RING; i++) {
      later.add(add(0));
    }
    assertThat(table.ringSlots()).isEqualTo(PendingTable.MAX_RING);
    assertThat(table.size()).isEqualTo(2 + later.size());
    // an answer with a tag nobody holds, in an occupied slot, finds nothing and removes nothing
    assertThat(table.remove(0, stuck.tag + 8L * PendingTable.MAX_RING)).isNull();
    assertThat(table.size()).isEqualTo(2 + later.size());
    for (PendingRequest r : later) {
      assertThat(table.remove(0, r.tag)).isSameAs(r);
    }
    assertThat(table.remove(7, other.tag)).isNull(); // same tag, other channel: not it
    assertThat(table.remove(5, other.tag)).isSameAs(other);
    assertThat(table.clear("closed")).containsExactly(stuck);
    assertThat(table.isEmpty()).isTrue();
  }

  @Test
  void clearReturnsEveryRequestOnceFromRingAndMap() throws Exception {
    List<PendingRequest> all = new ArrayList<>();
    for (int i = 0; i < 2 * PendingTable.MAX_RING + 10; i++) {
      all.add(add(i % 3 == 0 ? 9 : 0));
    }
    assertThat(table.clear("closed")).containsExactlyInAnyOrderElementsOf(all);
    assertThat(table.size()).isZero();
  }
}
