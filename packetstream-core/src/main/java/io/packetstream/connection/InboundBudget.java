package io.packetstream.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bytes that connections hold of what their peers sent, against one limit: partial frames beyond a
 * connection's own allowance, and the payloads of requests waiting or running. A reader that finds
 * the budget spent stops reading and {@linkplain #await waits} for bytes to be released; of the
 * readers holding nothing but a partial frame, one at a time {@linkplain #overdraw reads on}.
 * Thread-safe; nothing here blocks.
 */
final class InboundBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  /**
   * The one reader of the group that may go on filling a partial frame while the budget is spent.
   */
  private final AtomicReference<Object> overdraft = new AtomicReference<>();

  /** Counts the overdraft's changes of hands, so that each frame read on alone is timed alone. */
  private final AtomicLong overdrafts = new AtomicLong();

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

  /**
   * Whether {@code reader} may go on filling its partial frame while the budget is spent: one
   * reader of the group at a time, so that frames still complete and give their bytes back, while
   * the partial frames of the others wait instead of taking the heap between them.
   */
  boolean overdraw(Object reader) {
    if (overdraft.get() == reader) {
      return true;
    }
    if (overdraft.compareAndSet(null, reader)) {
      overdrafts.incrementAndGet();
      return true;
    }
    return false;
  }

  /** Which overdraft this is: it changes whenever a reader takes the overdraft or gives it up. */
  long overdraftNumber() {
    return overdrafts.get();
  }

  /** Whether {@code reader} is the one that may overdraw. */
  boolean overdraws(Object reader) {
    return overdraft.get() == reader;
  }

  /**
   * {@code reader} holds no partial frame beyond its allowance any more: if it was the one that
   * overdrew, another may now, and the readers waiting try again.
   */
  void endOverdraft(Object reader) {
    if (overdraft.get() == reader && overdraft.compareAndSet(reader, null)) {
      overdrafts.incrementAndGet();
      // only those waiting now: one that pauses again joins the queue behind them
      for (int n = waiting.size(); n > 0; n--) {
        Runnable r = waiting.poll();
        if (r == null) {
          break;
        }
        r.run();
      }
    }
  }

  /** Whether any reader waits for room. */
  boolean othersWait() {
    return !waiting.isEmpty();
  }

  /** Takes {@code resume} out of the queue of readers waiting, if it is there. */
  void cancel(Runnable resume) {
    waiting.remove(resume);
  }

  /** Runs {@code resume} (on some releasing thread) once there is room; at once if there is now. */
  void await(Runnable resume) {
    waiting.add(resume);
    if (!spent() && waiting.remove(resume)) {
      resume.run();
    }
  }
}
