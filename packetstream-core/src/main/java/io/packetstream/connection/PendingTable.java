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
 */
final class PendingTable {

  /** Tags on every channel start here: 0 and 1 of channel 0 are the control packets. */
  static final long FIRST_TAG = 2;

  private final int max;
  private final AtomicLong tags0 = new AtomicLong(FIRST_TAG);
  private final Map<Long, AtomicLong> otherTags = new ConcurrentHashMap<>();

  // guarded by this
  private final TagMap<PendingRequest> table = new TagMap<>();
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
    if (table.size() >= max) {
      throw new RejectedExecutionException(
          request.connection.name()
              + ": "
              + table.size()
              + " requests already pending (limit maxPendingRequests="
              + max
              + ")");
    }
    int r = out.offer(packet);
    if (r == Outbound.REFUSED) {
      throw new ConnectionClosedException(
          request.connection.name() + " is closing: cannot send request type " + request.rqType);
    }
    table.put(request.channel, request.tag, request);
    return r;
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
      r = table.remove(channel, tag);
      if (r != null && table.isEmpty()) {
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
      if (table.get(request.channel, request.tag) != request) {
        return false;
      }
      table.remove(request.channel, request.tag);
      if (table.isEmpty()) {
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
    if (refusal == null) {
      refusal = why;
    }
    return table.clear();
  }

  /** Runs {@code action} whenever the table becomes empty (on the thread that emptied it). */
  synchronized void onEmpty(Runnable action) {
    this.onEmpty = action;
  }

  synchronized int size() {
    return table.size();
  }

  synchronized boolean isEmpty() {
    return table.isEmpty();
  }
}
