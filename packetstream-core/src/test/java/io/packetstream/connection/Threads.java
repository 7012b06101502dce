package io.packetstream.connection;

import java.util.concurrent.CompletableFuture;

/**
 * Runs a test's blocking steps on threads of their own, so that a step that hangs shows as a future
 * that does not complete in time rather than a stalled shared pool.
 */
final class Threads {

  /** A step that may throw anything. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private Threads() {}

  /** Starts {@code step} on a new daemon thread; the future completes when it returns. */
  static CompletableFuture<Void> run(String name, Step step) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                step.run();
                done.complete(null);
              } catch (Throwable e) {
                done.completeExceptionally(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return done;
  }
}
