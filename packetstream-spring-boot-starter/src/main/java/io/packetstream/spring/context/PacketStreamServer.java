package io.packetstream.spring.context;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The starter's server as a Spring lifecycle: it binds when the context starts, in the phase of
 * Boot's web servers, and on shutdown stops accepting, lets running handlers finish and sends every
 * peer EOF, within {@code packetstream.server.shutdown-timeout}, on a thread of its own so that it
 * drains alongside the web server. While it listens, a non-daemon thread keeps the JVM alive, as
 * Boot's own servers do, so that an application without a web server still runs until it is
 * stopped.
 */
public final class PacketStreamServer implements SmartLifecycle {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(PacketStreamServer.class);

  /** The phase the server starts in (early) and stops in (late), as Boot's web servers do. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  /**
   * The name of the thread that keeps the JVM alive while the server listens, before the server's
   * name.
   */
  static final String AWAIT_THREAD_PREFIX = "packetstream-server-await-";

  /** The name of the thread that drains the server on shutdown, before the server's name. */
  static final String STOP_THREAD_PREFIX = "packetstream-server-stop-";

  private final String name;
  private final Callable<PacketServer> binder;
  private final ApplicationEventPublisher events;
  private volatile @Nullable PacketServer server;

  /** Started and not stopped: what Spring's lifecycle asks, whatever the core server does. */
  private volatile boolean running;

  private @Nullable CountDownLatch stopped;

  /**
   * A server that binds with {@code binder} when started and then publishes a {@link
   * PacketServerInitializedEvent} to {@code events}.
   */
  public PacketStreamServer(
      String name, Callable<PacketServer> binder, ApplicationEventPublisher events) {
    this.name = name;
    this.binder = binder;
    this.events = events;
  }

  /** The server's name; its connections are named {@code name#n}. */
  public String name() {
    return name;
  }

  /** The running core server, once started. */
  public Optional<PacketServer> server() {
    return Optional.ofNullable(server);
  }

  /** Whether the server accepts peers now. */
  public boolean isListening() {
    PacketServer s = server;
    return s != null && s.isListening();
  }

  /** The TCP port the server listens on, -1 for a Unix socket or before it starts. */
  public int port() {
    PacketServer s = server;
    return s == null ? -1 : s.port();
  }

  /** The server's live connections. */
  public List<PacketConnection> connections() {
    PacketServer s = server;
    return s == null ? List.of() : s.connections();
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    try {
      server = binder.call();
    } catch (IOException e) {
      throw new ServerStartException(name, e);
    } catch (Exception e) {
      throw new IllegalStateException(name + ": cannot listen: " + e.getMessage(), e);
    }
    running = true;
    PacketServer bound = server;
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "packetstream server "
                + name
                + " listening on "
                + bound
                    .unixSocketPath()
                    .map(Object::toString)
                    .orElseGet(() -> String.valueOf(bound.localAddress())));
    keepAlive(server);
    events.publishEvent(new PacketServerInitializedEvent(bound));
  }

  /**
   * Keeps the JVM alive until the lifecycle stops or the core server stops listening, whichever
   * comes first: a server closed through {@link #server()} must not hold the JVM forever.
   */
  private void keepAlive(PacketServer core) {
    CountDownLatch latch = new CountDownLatch(1);
    stopped = latch;
    Thread await =
        new Thread(
            () -> {
              try {
                while (!latch.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                    && core.isListening()) {
                  // the core server can be closed under us; look again
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            AWAIT_THREAD_PREFIX + name);
    await.setDaemon(false);
    await.start();
  }

  /** Stops accepting and drains the connections, on the calling thread. */
  @Override
  public void stop() {
    drain();
  }

  /**
   * Stops accepting and drains the connections on a thread of its own, then calls {@code callback}:
   * Spring waits for it alongside the other lifecycles of the phase (Boot's web server drains in
   * the same one), for at most {@code spring.lifecycle.timeout-per-shutdown-phase}; the drain
   * itself is bounded by {@code packetstream.server.shutdown-timeout}.
   */
  @Override
  public void stop(Runnable callback) {
    Thread t =
        new Thread(
            () -> {
              try {
                drain();
              } finally {
                callback.run();
              }
            },
            STOP_THREAD_PREFIX + name);
    // as the keep-alive thread: the JVM does not exit half-way through the drain
    t.setDaemon(false);
    t.start();
  }

  private void drain() {
    PacketServer s;
    CountDownLatch latch;
    synchronized (this) {
      s = server;
      latch = stopped;
      stopped = null;
      running = false;
    }
    if (s != null) {
      s.close();
    }
    if (latch != null) {
      latch.countDown();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public boolean isPauseable() {
    return false;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    PacketServer s = server;
    return s != null ? s.toString() : "PacketStreamServer[" + name + ", not started]";
  }
}
