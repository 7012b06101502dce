package io.packetstream.connection;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;

/**
 * The ends of the requests a connection answered on its event loop during one read batch, kept
 * until the batch has written their answers and then told to the connection's listener: the
 * listener's work on them (meters, observations) then overlaps the peer's reading of the answers
 * instead of holding them back. One per event loop, held by one connection's batch at a time
 * ({@link #take}); loop thread only. At most {@link #CAPACITY} ends wait: a batch with more tells
 * the listener early.
 */
final class DeferredFinishes {

  /** The most request ends kept at once. */
  static final int CAPACITY = 1024;

  private final long[] values = new long[4 * CAPACITY]; // channel, tag, type, nanos per request
  private final Outcome[] outcomes = new Outcome[CAPACITY];
  private int count;
  private boolean held;

  /**
   * Holds this for the batch about to begin, until {@link #release}; false if another connection's
   * batch holds it (a batch begun inside another: its listener is then told at once).
   */
  boolean take() {
    if (held) {
      return false;
    }
    held = true;
    return true;
  }

  void release() {
    held = false;
  }

  boolean isEmpty() {
    return count == 0;
  }

  boolean isFull() {
    return count == CAPACITY;
  }

  void add(long channel, long tag, long rqType, Outcome outcome, long nanos) {
    int at = 4 * count;
    values[at] = channel;
    values[at + 1] = tag;
    values[at + 2] = rqType;
    values[at + 3] = nanos;
    outcomes[count++] = outcome;
  }

  /**
   * Tells {@code listener} every end kept, in the order the requests were answered, and forgets
   * them.
   */
  void tell(TrafficListener listener, PacketConnection connection) {
    try {
      for (int i = 0; i < count; i++) {
        int at = 4 * i;
        listener.requestFinished(
            connection,
            Direction.INBOUND,
            values[at],
            values[at + 1],
            values[at + 2],
            outcomes[i],
            values[at + 3]);
      }
    } finally {
      count = 0;
    }
  }
}
