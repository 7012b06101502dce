package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This end's requests that await their answers, by (channel, tag), and the tags to give new ones:
 * per channel, counting up from {@link #FIRST_TAG}.
 *
 * <p>The monitor guards the table and whether it takes requests. A request's packet is queued for
 * writing under the monitor ({@link #add}), and so is this end's ERQ ({@link #stop}), so no request
 * ever follows the ERQ on the wire. Tags are handed out without the lock.
 *
 * <p>Channel 0's tags count up, so its requests live in a ring indexed by the tag's low bits: no
 * hashing and no probing per request and answer. A request whose ring slot still holds one {@code
 * ring.length} tags older grows the ring, up to {@link #MAX_RING} slots, and past that goes to a
 * {@link TagMap} with the other channels' requests. The ring starts small, so an idle connection
 * costs little; a peer's answers only look up, so its tags cannot make the ring grow.
 */
final class PendingTable {

  /** Tags on every channel start here: 0 and 1 of channel 0 are the control packets. */
  static final long FIRST_TAG = 2;

  /** The most slots of the ring: 4,096 references, 16 KiB with compressed pointers. */
  static final int MAX_RING = 4096;

  private static final int FIRST_RING = 16;

  private final int max;
  private final AtomicLong tags0 = new AtomicLong(FIRST_TAG);
  private final Map<Long, AtomicLong> otherTags = new ConcurrentHashMap<>();

  // guarded by this
  private PendingRequest[] ring = new PendingRequest[FIRST_RING]; // channel 0's, by tag's low bits
  private int inRing;
  private final TagMap<PendingRequest> table = new TagMap<>(); // the rest
  private String refusal; // why no request is taken any more, or null
  private Runnable onEmpty;

  PendingTable(int maxPending) {
    this.max = maxPending;
  }

  /** The next tag of {@code channel}. */
  long nextTag(long channel) {
    return channel == 0
        ? tags0.getAndIncrement()
        : otherTags.computeIfAbsent(channel, c -> new AtomicLong(FIRST_TAG)).getAndIncrement();
  }

  /**
   * Enters a request and queues its packet on {@code out}, as one step.
   *
   * @return {@link Outbound#CLAIMED} if the caller must {@link Outbound#drain()} once it holds no
   *     lock, otherwise {@link Outbound#QUEUED}
   * @throws ConnectionClosedException if the table takes no more requests
   * @throws RejectedExecutionException if the table is full
   */
  synchronized int add(PendingRequest request, Packet packet, Outbound out)
      throws ConnectionClosedException {
    if (refusal != null) {
      throw new ConnectionClosedException(refusal + ": cannot send request type " + request.rqType);
    }
    if (size() >= max) {
      throw new RejectedExecutionException(
          request.connection.name()
              + ": "
              + size()
              + " requests already pending (limit maxPendingRequests="
              + max
              + ")");
    }
    int r = out.offer(packet);
    if (r == Outbound.REFUSED) {
      throw new ConnectionClosedException(
          request.connection.name() + " is closing: cannot send request type " + request.rqType);
    }
    put(request);
    return r;
  }

  private void put(PendingRequest request) {
    if (request.channel == 0) {
      int i;
      while (ring[i = (int) request.tag & (ring.length - 1)] != null) {
        if (ring.length == MAX_RING) {
          table.put(0, request.tag, request);
          return;
        }
        growRing();
      }
      ring[i] = request;
      inRing++;
    } else {
      table.put(request.channel, request.tag, request);
    }
  }

  /** Doubles the ring; entries in distinct slots stay in distinct slots. */
  private void growRing() {
    PendingRequest[] bigger = new PendingRequest[ring.length * 2];
    for (PendingRequest r : ring) {
      if (r != null) {
        bigger[(int) r.tag & (bigger.length - 1)] = r;
      }
    }
    ring = bigger;
  }

  /** The request with this key, or null. */
  private PendingRequest get(long channel, long tag) {
    if (channel == 0) {
      PendingRequest r = ring[(int) tag & (ring.length - 1)];
      if (r != null && r.tag == tag) {
        return r;
      }
    }
    return table.isEmpty() ? null : table.get(channel, tag);
  }

  /** Takes out the request with this key and returns it, or null. */
  private PendingRequest take(long channel, long tag) {
    if (channel == 0) {
      int i = (int) tag & (ring.length - 1);
      PendingRequest r = ring[i];
      if (r != null && r.tag == tag) {
        ring[i] = null;
        inRing--;
        return r;
      }
    }
    return table.isEmpty() ? null : table.remove(channel, tag);
  }

  /**
   * Takes no more requests from now on, and queues {@code last} (this end's ERQ, or null) on {@code
   * out} under the same lock.
   *
   * @return {@link Outbound#CLAIMED} if the caller must drain
   */
  synchronized int stop(String why, Packet last, Outbound out) {
    if (refusal == null) {
      refusal = why;
    }
    return last == null ? Outbound.QUEUED : out.offer(last);
  }

  /** Takes out and returns the request answered by (channel, tag), or null. */
  PendingRequest remove(long channel, long tag) {
    PendingRequest r;
    Runnable empty = null;
    synchronized (this) {
      r = take(channel, tag);
      if (r != null && isEmpty()) {
        empty = onEmpty;
      }
    }
    if (empty != null) {
      empty.run();
    }
    return r;
  }

  /** Takes out {@code request} if it is still in; true if it was. */
  boolean remove(PendingRequest request) {
    Runnable empty = null;
    synchronized (this) {
      if (get(request.channel, request.tag) != request) {
        return false;
      }
      take(request.channel, request.tag);
      if (isEmpty()) {
        empty = onEmpty;
      }
    }
    if (empty != null) {
      empty.run();
    }
    return true;
  }

  /** Takes no more requests and returns every one still pending, to be failed by the caller. */
  synchronized List<PendingRequest> clear(String why) {
    refusal = why; // the end replaces the drain's refusal: "closed", not "draining"
    List<PendingRequest> all = table.clear();
    for (int i = 0; i < ring.length; i++) {
      if (ring[i] != null) {
        all.add(ring[i]);
        ring[i] = null;
      }
    }
    inRing = 0;
    return all;
  }

  /** Runs {@code action} whenever the table becomes empty (on the thread that emptied it). */
  synchronized void onEmpty(Runnable action) {
    this.onEmpty = action;
  }

  synchronized int size() {
    return inRing + table.size();
  }

  synchronized boolean isEmpty() {
    return inRing == 0 && table.isEmpty();
  }

  /** The ring's slots now, for tests of its growth. */
  synchronized int ringSlots() {
    return ring.length;
  }
}
