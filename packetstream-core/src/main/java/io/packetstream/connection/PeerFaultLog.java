package io.packetstream.connection;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Logs the connections the library ends because of what their peer did (malformed frames, a stall
 * inside a frame, silence past the idle timeout, no answer to a liveness probe) without letting
 * peers that connect again and again flood the log. For each kind of fault, JVM-wide: the first
 * connection is logged with its reason; the next ones within {@link #WINDOW_NANOS} are counted (and
 * logged at DEBUG), and the first one after the window is logged with the count of those since the
 * last line. Thread-safe.
 */
final class PeerFaultLog {

  /** The shortest time between two lines of one kind. */
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

  private static final Logger LOG = Loggers.of(PacketConnection.class);

  /** Connections failed because their peer sent bytes that are not packetstream frames. */
  static final PeerFaultLog MALFORMED =
      new PeerFaultLog(
          LOG, Level.WARNING, "failed on malformed frames", WINDOW_NANOS, System::nanoTime);

  /** Connections failed because their peer stalled inside a frame for the read timeout. */
  static final PeerFaultLog READ_TIMEOUT =
      new PeerFaultLog(
          LOG, Level.INFO, "failed by their read timeout", WINDOW_NANOS, System::nanoTime);

  /** Connections failed because their peer answered no liveness probe in time. */
  static final PeerFaultLog PROBE_TIMEOUT =
      new PeerFaultLog(
          LOG, Level.INFO, "failed by their probe timeout", WINDOW_NANOS, System::nanoTime);

  /** Connections closed because they were idle for their idle timeout. */
  static final PeerFaultLog IDLE =
      new PeerFaultLog(
          LOG, Level.INFO, "closed by their idle timeout", WINDOW_NANOS, System::nanoTime);

  private final Logger log;
  private final Level level;
  private final String what;
  private final long windowNanos;
  private final LongSupplier clock;
  private boolean logged; // guarded by this
  private long loggedAt; // guarded by this
  private long unlogged; // guarded by this

  PeerFaultLog(Logger log, Level level, String what, long windowNanos, LongSupplier clock) {
    this.log = log;
    this.level = level;
    this.what = what;
    this.windowNanos = windowNanos;
    this.clock = clock;
  }

  /** One connection, {@code connection}, ended for {@code why}. */
  void ended(String connection, String why) {
    long now = clock.getAsLong();
    long since;
    synchronized (this) {
      if (logged && now - loggedAt < windowNanos) {
        unlogged++;
        since = -1;
      } else {
        since = unlogged;
        unlogged = 0;
        logged = true;
        loggedAt = now;
      }
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(windowNanos);
    if (since < 0) {
      log.log(Level.DEBUG, () -> connection + ": " + why);
    } else if (since == 0) {
      log.log(
          level,
          () ->
              connection
                  + ": "
                  + why
                  + " (further connections "
                  + what
                  + " are counted and logged once per "
                  + seconds
                  + " s)");
    } else {
      log.log(
          level,
          () ->
              since
                  + " more connections "
                  + what
                  + " since the last such line; now "
                  + connection
                  + ": "
                  + why);
    }
  }
}
