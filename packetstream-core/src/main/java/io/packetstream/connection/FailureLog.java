package io.packetstream.connection;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Logs a connection's handler failures without letting a misbehaving peer flood the log: the first
 * failure of each cause (its exception class and message) is logged at WARNING with its stack trace
 * and the connection named; repeats of a cause within {@link #WINDOW_NANOS} are counted and summed
 * up in one line at INFO when the window is over and the cause comes again; everything else goes to
 * DEBUG. At most {@link #MAX_CAUSES} causes are remembered per connection. Thread-safe.
 */
final class FailureLog {

  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
  static final int MAX_CAUSES = 32;

  private final Logger log;
  private final String connection;
  private final Map<String, long[]> causes = new HashMap<>(); // key -> {window start, repeats}

  FailureLog(Logger log, String connection) {
    this.log = log;
    this.connection = connection;
  }

  /** Records one failure of {@code what} (e.g. "handler for request type 3") by {@code error}. */
  void failed(String what, Throwable error) {
    String key = error.getClass().getName() + ": " + error.getMessage();
    long now = System.nanoTime();
    long repeats;
    synchronized (this) {
      long[] seen = causes.get(key);
      if (seen == null) {
        if (causes.size() >= MAX_CAUSES) {
          log.log(Level.DEBUG, () -> connection + ": " + what + " failed", error);
          return;
        }
        causes.put(key, new long[] {now, 0});
        repeats = -1;
      } else if (now - seen[0] < WINDOW_NANOS) {
        seen[1]++;
        repeats = 0;
      } else {
        repeats = seen[1];
        seen[0] = now;
        seen[1] = 0;
      }
    }
    if (repeats < 0) {
      log.log(
          Level.WARNING,
          () ->
              connection
                  + ": "
                  + what
                  + " failed (repeats of this cause are"
                  + " counted, not logged, for a minute at a time)",
          error);
    } else if (repeats > 0) {
      long n = repeats;
      log.log(
          Level.INFO,
          () ->
              connection
                  + ": "
                  + n
                  + " more failures like "
                  + key
                  + " in the last minute; now "
                  + what);
    } else {
      log.log(Level.DEBUG, () -> connection + ": " + what + " failed again: " + key);
    }
  }
}
