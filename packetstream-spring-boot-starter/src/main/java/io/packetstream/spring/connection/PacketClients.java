package io.packetstream.spring.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.SmartLifecycle;

/**
 * Every named client of {@code packetstream.clients}, to look one up by name; a Spring lifecycle
 * that connects them all when the context starts (after the server) and closes them on shutdown
 * (before the server).
 */
public final class PacketClients implements SmartLifecycle {

  /** The phase clients start in: after the server, so that a client of the same app finds it. */
  public static final int PHASE = PacketStreamServer.PHASE + 512;

  private final Map<String, PacketStreamClient> clients = new LinkedHashMap<>();
  private final ScheduledThreadPoolExecutor scheduler;
  private volatile boolean running;

  /** Clients made from {@code specs}, each opening connections from {@code builders}. */
  public PacketClients(List<ClientSpec> specs, PacketConnectionBuilders builders) {
    AtomicInteger n = new AtomicInteger();
    this.scheduler = new ScheduledThreadPoolExecutor(Math.max(1, Math.min(4, specs.size())), r -> {
      Thread t = new Thread(r, "packetstream-connect-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    for (ClientSpec spec : specs) {
      clients.put(spec.name(), new PacketStreamClient(spec, builders, scheduler));
    }
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
      throw new NoSuchElementException("no packetstream client named '" + name + "'; configured: "
          + clients.keySet());
    }
    return c;
  }

  /** Every client, in configuration order. */
  public Collection<PacketStreamClient> all() {
    return List.copyOf(clients.values());
  }

  /**
   * Connects every client: fail-fast ones now, the others in the background. When a fail-fast
   * one cannot connect, the clients started before it are closed again and start-up fails.
   */
  @Override
  public void start() {
    for (PacketStreamClient c : clients.values()) {
      // the context does not stop a lifecycle whose start failed: close what did start
      try {
        c.start();
      } catch (IOException e) {
        stop();
        throw new UncheckedIOException("packetstream client " + c.name()
            + " cannot connect (fail-fast): " + e.getMessage(), e);
      } catch (RuntimeException e) {
        stop();
        throw e;
      }
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    scheduler.shutdownNow();
    clients.values().parallelStream().forEach(PacketStreamClient::close);
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
}
