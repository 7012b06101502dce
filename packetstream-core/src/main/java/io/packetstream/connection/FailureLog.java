package io.packetstream.connection;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Logs a connection's handler failures without letting a misbehaving peer flood the log. A cause is
 * an exception's class and where it was thrown (the top frames of its stack trace), not its
 * message, which often names an id. The first failure of each cause is logged at WARNING with its
 * stack trace and the connection named; repeats of a cause within {@link #WINDOW_NANOS} are counted
 * and summed up in one line at INFO when the window is over and the cause comes again, or when the
 * cause is forgotten; everything else goes to DEBUG.
 *
 * <p>At most {@link #MAX_CAUSES} causes are remembered per connection. A new cause that finds them
 * all remembered forgets those whose window is over (a forgotten cause that comes again is new); if
 * all are still in their window, it is logged at WARNING all the same, up to {@link
 * #MAX_UNREMEMBERED} such causes a window, and only counted past that, the count logged in one line
 * at INFO when the window is over and a new cause comes. Memory is bounded by {@code MAX_CAUSES}
 * whatever the peer does. Thread-safe.
 */
final class FailureLog {

  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
  static final int MAX_CAUSES = 32;
  static final int MAX_UNREMEMBERED = 8;

  /** How many frames from the top of a stack trace tell where a failure was thrown. */
  static final int FRAMES = 4;

  /**
   * What tells one failure from another: the exception's class, and where it was thrown: the top
   * {@link #FRAMES} frames, so that two bugs thrown through one shared helper ({@code
   * Objects.requireNonNull}, an assertion utility) stay two causes.
   */
  private record Cause(String type, List<StackTraceElement> at) {

    static Cause of(Throwable error) {
      StackTraceElement[] trace = error.getStackTrace(); // empty if the exception keeps none
      return new Cause(
          error.getClass().getName(),
          List.of(java.util.Arrays.copyOf(trace, Math.min(FRAMES, trace.length))));
    }

    @Override
    public String toString() {
      return at.isEmpty() ? type : type + " at " + at.get(0);
    }
  }

  /** What a failure is logged as. */
  private enum Say {
    /** At WARNING with its stack trace: a new cause, now remembered. */
    NEW,
    /** At WARNING with its stack trace: a new cause, while too many others are remembered. */
    NEW_UNREMEMBERED,
    /** At INFO: how often the cause failed in its window, which is over. */
    REPEATS,
    /** At DEBUG: a repeat, counted. */
    LITTLE
  }

  private final Logger log;
  private final String connection;
  private final LongSupplier nanoClock;
  private final Map<Cause, long[]> causes = new HashMap<>(); // cause -> {window start, repeats}
  // new causes while every remembered one is in its window: the window, how many were logged at
  // WARNING in it, and how many were counted past that
  private long unrememberedStart;
  private int unrememberedWarned;
  private long unrememberedCounted;

  FailureLog(Logger log, String connection) {
    this(log, connection, System::nanoTime);
  }

  /** With a clock of its own, for tests: {@code nanoClock} reads like {@link System#nanoTime}. */
  FailureLog(Logger log, String connection, LongSupplier nanoClock) {
    this.log = log;
    this.connection = connection;
    this.nanoClock = nanoClock;
    this.unrememberedStart = nanoClock.getAsLong() - WINDOW_NANOS;
  }

  /** Records one failure of {@code what} (e.g. "handler for request type 3") by {@code error}. */
  void failed(String what, Throwable error) {
    Cause cause = Cause.of(error);
    long now = nanoClock.getAsLong();
    List<Map.Entry<Cause, Long>> forgotten = null;
    long unrememberedBefore = 0;
    long repeats = 0; // of this cause in the window that is over
    Say say;
    synchronized (this) {
      long[] seen = causes.get(cause);
      if (seen == null) {
        if (now - unrememberedStart >= WINDOW_NANOS) {
          unrememberedBefore = unrememberedCounted;
          unrememberedStart = now;
          unrememberedWarned = 0;
          unrememberedCounted = 0;
        }
        if (causes.size() >= MAX_CAUSES) {
          forgotten = forgetPassed(now);
        }
        if (causes.size() < MAX_CAUSES) {
          causes.put(cause, new long[] {now, 0});
          say = Say.NEW;
        } else {
          if (unrememberedWarned < MAX_UNREMEMBERED) {
            unrememberedWarned++;
            say = Say.NEW_UNREMEMBERED;
          } else {
            unrememberedCounted++;
            say = Say.LITTLE;
          }
        }
      } else if (now - seen[0] < WINDOW_NANOS) {
        seen[1]++;
        say = Say.LITTLE;
      } else {
        repeats = seen[1];
        seen[0] = now;
        seen[1] = 0;
        say = repeats > 0 ? Say.REPEATS : Say.LITTLE;
      }
    }
    if (forgotten != null) {
      for (Map.Entry<Cause, Long> e : forgotten) {
        log.log(
            Level.INFO,
            () ->
                connection
                    + ": "
                    + e.getValue()
                    + " more failures like "
                    + e.getKey()
                    + " in the minute after it was logged");
      }
    }
    if (unrememberedBefore > 0) {
      long n = unrememberedBefore;
      log.log(
          Level.INFO,
          () ->
              connection
                  + ": "
                  + n
                  + " failures of further causes were logged at DEBUG only in the minute before"
                  + " (over "
                  + MAX_CAUSES
                  + " causes at once)");
    }
    if (say == Say.NEW || say == Say.NEW_UNREMEMBERED) {
      String note =
          say == Say.NEW
              ? "repeats of this cause are counted, not logged, for a minute at a time"
              : "over "
                  + MAX_CAUSES
                  + " causes at once: further new ones are logged at most "
                  + MAX_UNREMEMBERED
                  + " a minute";
      log.log(Level.WARNING, () -> connection + ": " + what + " failed (" + note + ")", error);
    } else if (say == Say.REPEATS) {
      long n = repeats;
      log.log(
          Level.INFO,
          () ->
              connection
                  + ": "
                  + n
                  + " more failures like "
                  + cause
                  + " in the last minute; now "
                  + what);
    } else {
      log.log(Level.DEBUG, () -> connection + ": " + what + " failed: " + cause, error);
    }
  }

  /**
   * Forgets the causes whose window is over, to make room for a new one; returns those that had
   * repeats, which are still to be summed up. Under this object's monitor.
   */
  private List<Map.Entry<Cause, Long>> forgetPassed(long now) {
    List<Map.Entry<Cause, Long>> withRepeats = null;
    for (Iterator<Map.Entry<Cause, long[]>> it = causes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Cause, long[]> e = it.next();
      long[] seen = e.getValue();
      if (now - seen[0] >= WINDOW_NANOS) {
        it.remove();
        if (seen[1] > 0) {
          if (withRepeats == null) {
            withRepeats = new ArrayList<>();
          }
          withRepeats.add(Map.entry(e.getKey(), seen[1]));
        }
      }
    }
    return withRepeats;
  }
}
