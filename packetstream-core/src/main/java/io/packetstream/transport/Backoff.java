package io.packetstream.transport;

/**
 * How long to pause after each failure in a row of a loop that must not spin: the pause doubles
 * from {@link #FIRST_MILLIS} to at most {@link #MAX_MILLIS} and starts again after a success.
 * Not thread-safe: one loop owns it.
 */
final class Backoff {

  static final long FIRST_MILLIS = 10;
  static final long MAX_MILLIS = 1000;

  private long last;

  /** The pause after one more failure. */
  long next() {
    last = last == 0 ? FIRST_MILLIS : Math.min(last * 2, MAX_MILLIS);
    return last;
  }

  /** After a success: the next failure pauses {@link #FIRST_MILLIS} again. */
  void reset() {
    last = 0;
  }
}
