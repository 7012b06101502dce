package io.packetstream.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The request to stop a server command that should end with status 0 after a graceful close: it
 * catches SIGTERM and SIGINT itself instead of letting the JVM exit with 143, so the command's own
 * thread can close its server and return. Any other JVM shutdown (SIGHUP, {@code System.exit}) also
 * requests the stop, and holds the JVM until the command has closed or {@code closeTimeout} passed.
 * Closing it gives the signals back to their previous handlers.
 */
final class StopSignal implements AutoCloseable {

  private static final List<String> SIGNALS = List.of("TERM", "INT");

  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Signal> caught = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();
  private final Thread hook;

  /**
   * Catches the signals and adds the shutdown hook until {@link #close()}; each runs {@code stop},
   * which should make the command close its server and then call {@link #close()}.
   */
  StopSignal(String what, Duration closeTimeout, Runnable stop) {
    for (String name : SIGNALS) {
      Signal signal = new Signal(name);
      try {
        previous.add(Signal.handle(signal, s -> stop.run()));
        caught.add(signal);
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (-Xrs, or the OS reserves it): the shutdown hook still stops
      }
    }
    hook =
        new Thread(
            () -> {
              stop.run();
              try {
                closed.await(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            what + " shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Gives the signals back and lets a JVM shutdown that is waiting for the command go on. */
  @Override
  public void close() {
    closed.countDown();
    for (int i = 0; i < caught.size(); i++) {
      Signal.handle(caught.get(i), previous.get(i));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or has run
    }
  }
}
