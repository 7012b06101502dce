package io.packetstream.cli;

import io.packetstream.transport.PacketServer;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a server command until the process is told to stop: SIGTERM (or Ctrl-C) runs a shutdown hook
 * that closes the server gracefully, so every connection sends its EOF before the JVM exits.
 */
final class ServerRunner {

  private ServerRunner() {}

  /** Announces the server on {@code err}, then blocks until the JVM shuts down; returns 0. */
  static int runUntilStopped(String what, PacketServer server, PrintWriter err) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              stopped.countDown();
            },
            what + " shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    err.println(what + " listening on " + server.localAddress());
    err.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return 0;
  }
}
