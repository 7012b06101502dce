package io.packetstream.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that connections hold of what their peers sent, against one limit: partial frames beyond a
 * connection's own allowance, and the payloads of requests waiting or running. A reader that finds
 * the budget spent stops reading and {@linkplain #await waits} for bytes to be released.
 * Thread-safe; nothing here blocks.
 */
final class InboundBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  InboundBudget(long limit) {
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  long used() {
    return used.get();
  }

  /** Counts {@code bytes} whether or not they fit: they have arrived already. */
  void add(long bytes) {
    if (bytes != 0) {
      used.addAndGet(bytes);
    }
  }

  /** Whether the budget is spent: readers should stop until bytes are released. */
  boolean spent() {
    return used.get() >= limit;
  }

  /** Gives back {@code bytes}; wakes the readers waiting once there is room again. */
  void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    long now = used.addAndGet(-bytes);
    if (now < limit && !waiting.isEmpty()) {
      Runnable r;
      while (used.get() < limit && (r = waiting.poll()) != null) {
        r.run();
      }
    }
  }

  /** Runs {@code resume} (on some releasing thread) once there is room; at once if there is now. */
  void await(Runnable resume) {
    waiting.add(resume);
    if (!spent() && waiting.remove(resume)) {
      resume.run();
    }
  }
}
