package io.packetstream.spring.client;

import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PayloadCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Every named client of {@code packetstream.clients}, to look one up by name; a Spring lifecycle
 * that connects them all when the context starts, after the server, so that a client of the same
 * application finds it. They close only after the server has drained ({@link #closer(Supplier)}, a
 * lifecycle of a later stop phase), so that handlers finishing during the drain can still call
 * them; all at once, on threads of their own, within Spring's shutdown phase timeout. A context
 * started again connects them again.
 */
public final class PacketClients implements SmartLifecycle {

  /** The phase clients start in: after the server, so that a client of the same app finds it. */
  public static final int PHASE = PacketStreamServer.PHASE + 512;

  /** The phase clients close in: after the server's, which stops earlier. */
  public static final int CLOSE_PHASE = PacketStreamServer.PHASE - 512;

  private final Map<String, PacketStreamClient> clients = new LinkedHashMap<>();
  private final int threads;
  private @Nullable ScheduledThreadPoolExecutor scheduler;
  private volatile boolean running;

  /** Clients made from {@code specs}, each opening connections from {@code builders}. */
  public PacketClients(List<ClientSpec> specs, PacketConnectionBuilders builders) {
    this(specs, builders, null);
  }

  /**
   * Clients made from {@code specs}, each opening connections from {@code builders}, whose typed
   * calls encode and decode objects with {@code codec}, if there is one.
   */
  public PacketClients(
      List<ClientSpec> specs, PacketConnectionBuilders builders, @Nullable PayloadCodec codec) {
    // a balanced client's instances connect and its look-ups run on these threads too
    long balanced = specs.stream().filter(s -> s.balancing() != null).count();
    this.threads = (int) Math.max(1, Math.min(4, specs.size() + balanced));
    TypedCalls calls = new TypedCalls(codec);
    for (ClientSpec spec : specs) {
      clients.put(spec.name(), new PacketStreamClient(spec, builders, calls));
    }
  }

  private static ScheduledThreadPoolExecutor scheduler(int threads) {
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, "packetstream-connect-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /** The client named {@code name}, if there is one. */
  public Optional<PacketStreamClient> find(String name) {
    return Optional.ofNullable(clients.get(name));
  }

  /**
   * The client named {@code name}.
   *
   * @throws NoSuchElementException if there is none
   */
  public PacketStreamClient get(String name) {
    PacketStreamClient c = clients.get(name);
    if (c == null) {
      throw new NoSuchElementException(
          "no packetstream client named '" + name + "'; configured: " + clients.keySet());
    }
    return c;
  }

  /**
   * Asks every balanced client to look up its instances again soon: for a discovery event (Spring
   * Cloud's heartbeat) that says they may have changed.
   */
  public void refreshInstances() {
    for (PacketStreamClient c : clients.values()) {
      c.refreshInstances();
    }
  }

  /** Every client, in configuration order. */
  public Collection<PacketStreamClient> all() {
    return List.copyOf(clients.values());
  }

  /**
   * Connects every client: fail-fast ones now, the others in the background. When a fail-fast one
   * cannot connect, the clients started before it are closed again and start-up fails.
   */
  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    scheduler = scheduler(threads);
    for (PacketStreamClient c : clients.values()) {
      c.stopping(false);
      // the context does not stop a lifecycle whose start failed: close what did start
      try {
        c.start(scheduler);
      } catch (IOException e) {
        closeAll();
        throw new ClientStartException(c.name(), e);
      } catch (RuntimeException e) {
        closeAll();
        throw e;
      }
    }
    running = true;
  }

  /**
   * Closes every client now, on the calling thread; {@link #closer(Supplier)} does it on shutdown.
   */
  @Override
  public void stop() {
    closeAll();
  }

  /**
   * In this lifecycle's own (earlier) stop phase nothing closes: the server drains first, and
   * {@link #closer(Supplier)} closes the clients in a later phase. The clients only learn that the
   * application is stopping, so that what the drain does to them is not logged as an outage.
   */
  @Override
  public void stop(Runnable callback) {
    for (PacketStreamClient c : clients.values()) {
      c.stopping(true);
    }
    callback.run();
  }

  private void closeAll() {
    ScheduledThreadPoolExecutor s;
    synchronized (this) {
      running = false;
      s = scheduler;
      scheduler = null;
    }
    if (s != null) {
      s.shutdownNow();
    }
    closeInParallel(clients.values());
  }

  /**
   * Closes {@code clients} gracefully, each on a thread of its own, and waits for them all (a
   * graceful close waits for answers): one slow peer does not hold the others' closes up.
   */
  static void closeInParallel(Collection<PacketStreamClient> clients) {
    List<Thread> closing = new ArrayList<>();
    for (PacketStreamClient c : clients) {
      Thread t = new Thread(c::close, "packetstream-client-close-" + c.name());
      t.setDaemon(true);
      t.start();
      closing.add(t);
    }
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
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

  /**
   * The lifecycle that closes the clients on shutdown, in {@link #CLOSE_PHASE}, after the server
   * has drained: gracefully, each on a thread of its own, while Spring waits at most its phase
   * timeout. Register it as a bean beside this one, finding the clients through {@code clients}
   * when it stops: a bean that depended on this one would be stopped with it, before the server, as
   * Spring stops a bean's dependents first.
   */
  public static SmartLifecycle closer(Supplier<@Nullable PacketClients> clients) {
    return new SmartLifecycle() {
      @Override
      public void start() {
        // the clients start in their own phase
      }

      @Override
      public void stop() {
        clients.get().closeAll();
      }

      @Override
      public void stop(Runnable callback) {
        PacketClients all = clients.get();
        Thread t =
            new Thread(
                () -> {
                  try {
                    all.closeAll();
                  } finally {
                    callback.run();
                  }
                },
                "packetstream-clients-stop");
        t.setDaemon(true);
        t.start();
      }

      @Override
      public boolean isRunning() {
        PacketClients all = clients.get();
        return all != null && all.running;
      }

      @Override
      public boolean isPauseable() {
        return false;
      }

      @Override
      public int getPhase() {
        return CLOSE_PHASE;
      }
    };
  }
}
