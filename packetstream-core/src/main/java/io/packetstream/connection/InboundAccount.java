package io.packetstream.connection;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's share of its group's {@link InboundBudget}: the partial frame its reader holds
 * beyond its allowance and the payloads of its peer's requests waiting or running. While the
 * budget is spent, a connection holding more than its allowance stops reading; the others, whose
 * peers send little, carry on. Thread-safe.
 */
final class InboundAccount {

  private final InboundBudget budget;
  private final long allowance;
  private final AtomicLong held = new AtomicLong();

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

  /** Whether this connection should stop reading until the budget has room. */
  boolean mustPause() {
    return budget.spent() && held.get() > allowance;
  }

  /** Runs {@code resume} once the budget has room again. */
  void awaitRoom(Runnable resume) {
    budget.await(resume);
  }
}
