package io.packetstream.transport;

import java.util.concurrent.TimeUnit;

/**
 * The failures in a row of a loop that must not spin, and how long to pause after each: the pause
 * doubles from {@link #FIRST_MILLIS} to at most {@link #MAX_MILLIS} and starts again after a
 * success. It also decides when a failure is worth a line in the log: the first of a run, then at
 * most one per {@link #REPORT_INTERVAL_NANOS}, so that a lasting failure (out of file descriptors,
 * say) says why once per period instead of once per attempt. Not thread-safe: its owner guards it.
 */
final class Backoff {

  static final long FIRST_MILLIS = 10;
  static final long MAX_MILLIS = 1000;
  static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private long last;
  private long failures;
  private long reportedAt;

  /** Counts one more failure and returns the pause after it. */
  long next() {
    failures++;
    last = last == 0 ? FIRST_MILLIS : Math.min(last * 2, MAX_MILLIS);
    return last;
  }

  /** After a success: the next failure starts a new run and pauses {@link #FIRST_MILLIS} again. */
  void reset() {
    last = 0;
    failures = 0;
  }

  /** The failures since the last success. */
  long failures() {
    return failures;
  }

  /**
   * Whether the failure just counted, at {@code nowNanos} ({@link System#nanoTime()}), should be
   * logged: the first of a run should, and then one per report interval at most.
   */
  boolean shouldReport(long nowNanos) {
    if (failures <= 1 || nowNanos - reportedAt >= REPORT_INTERVAL_NANOS) {
      reportedAt = nowNanos;
      return true;
    }
    return false;
  }
}
