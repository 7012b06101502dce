package io.packetstream.connection;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection's share of its group's {@link InboundBudget}: the partial frame its reader holds
 * beyond its allowance and the payloads of its peer's requests waiting or running. While the budget
 * is spent, a connection holding more than its allowance refuses its peer's new requests (it keeps
 * reading, so the answers to its own requests still come in), and a reader holding a partial frame
 * beyond its allowance stops reading, so TCP holds that peer back; connections whose peers send
 * little carry on. Thread-safe.
 */
final class InboundAccount {

  private final InboundBudget budget;
  private final long allowance;
  private final AtomicLong held = new AtomicLong();

  /** This connection's entry in the queue of readers waiting for room, or null. */
  private final AtomicReference<Waiter> waiter = new AtomicReference<>();

  /** Since when this connection has overdrawn while other readers wait; its timeout's thread. */
  private long contendedSince = Long.MIN_VALUE;

  /** The overdraft {@link #contendedSince} belongs to: a later one (a next frame) starts again. */
  private long contendedOverdraft = -1;

  InboundAccount(InboundBudget budget, long allowance) {
    this.budget = budget;
    this.allowance = allowance;
  }

  /** An account with no budget behind it, for a reader on its own (tests). */
  static InboundAccount unlimited() {
    return new InboundAccount(new InboundBudget(Long.MAX_VALUE), Long.MAX_VALUE);
  }

  void add(long bytes) {
    if (bytes != 0) {
      held.addAndGet(bytes);
      budget.add(bytes);
    }
  }

  void release(long bytes) {
    if (bytes != 0) {
      held.addAndGet(-bytes);
      budget.release(bytes);
    }
  }

  /** The bytes this connection holds now. */
  long held() {
    return held.get();
  }

  /**
   * Whether the budget is spent and this connection holds more than its allowance: its peer's new
   * requests are refused until requests finish.
   */
  boolean overBudget() {
    return budget.spent() && held.get() > allowance;
  }

  /**
   * Whether the reader must stop reading until the budget has room: it holds a partial frame beyond
   * its allowance ({@code readerCharge} bytes) while the budget is spent.
   */
  boolean readerMustPause(long readerCharge) {
    if (readerCharge <= 0 || !budget.spent() || budget.overdraws(this)) {
      return false;
    }
    // while requests of this connection hold budget too, their end will free it; a reader holding
    // nothing but its partial frame waits too unless it is the group's one reader that reads on,
    // so that partial frames cannot take the heap between them (16 MiB each, on as many
    // connections as the server takes) yet never all wait for one another
    return held.get() > readerCharge || !budget.overdraw(this);
  }

  /**
   * How long (ns, up to {@code now}) this connection's reader has gone on filling its partial frame
   * as the group's one overdrawing reader while other readers wait for room, or 0. Called by the
   * connection's timeout checks only.
   */
  long overdrawnWhileOthersWait(long now) {
    long overdraft = budget.overdraftNumber();
    if (!budget.overdraws(this) || !budget.othersWait()) {
      contendedSince = Long.MIN_VALUE;
      return 0;
    }
    if (contendedSince == Long.MIN_VALUE || overdraft != contendedOverdraft) {
      // each frame that reads on alone is timed from when others were first seen waiting for it
      contendedSince = now;
      contendedOverdraft = overdraft;
    }
    return now - contendedSince;
  }

  /** The reader holds no partial frame beyond its allowance any more. */
  void readerEmptied() {
    budget.endOverdraft(this);
  }

  /** The group's limit, for messages. */
  long budgetLimit() {
    return budget.limit();
  }

  /** Why a request is refused while {@link #overBudget()}. */
  String refusal() {
    return "too many requests: the inbound budget is spent ("
        + budget.used()
        + " bytes buffered,"
        + " limit maxBufferedInboundBytes="
        + budget.limit()
        + "), this connection holds "
        + held.get()
        + " bytes";
  }

  /** Runs {@code resume} once the budget has room again. */
  void awaitRoom(Runnable resume) {
    Waiter w = new Waiter(resume);
    Waiter before = waiter.getAndSet(w);
    if (before != null) {
      budget.cancel(before);
    }
    budget.await(w);
  }

  /**
   * This connection no longer waits for room (its reading was resumed another way, or it ended):
   * its entry leaves the budget's queue, so that it neither counts as a reader waiting nor keeps
   * the connection reachable.
   */
  void stopWaiting() {
    Waiter w = waiter.getAndSet(null);
    if (w != null) {
      budget.cancel(w);
    }
  }

  /** This connection's one entry in the budget's queue; runs its resume once, if still current. */
  private final class Waiter implements Runnable {
    private final Runnable resume;

    Waiter(Runnable resume) {
      this.resume = resume;
    }

    @Override
    public void run() {
      if (waiter.compareAndSet(this, null)) {
        resume.run();
      }
    }
  }
}
