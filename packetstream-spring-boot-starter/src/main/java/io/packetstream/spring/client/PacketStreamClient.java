package io.packetstream.spring.client;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.connection.ResponseDecoder;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionBuilders;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A named connection to a peer ({@code packetstream.clients.<name>}) that outlives the
 * connections under it: inject it with {@code @Qualifier("<name>")} and call the peer; when the
 * connection is lost it reconnects with back-off, and calls made meanwhile fail with a
 * {@link ConnectionClosedException}. Requests from the peer reach the application's
 * {@code @PacketHandler} methods, as on the server.
 *
 * <pre>{@code
 * @Autowired @Qualifier("billing") PacketStreamClient billing;
 * Response r = billing.call(3, 0, payload);
 * }</pre>
 */
public final class PacketStreamClient {

  private static final System.Logger LOG = System.getLogger(PacketStreamClient.class.getName());

  /** Where the client is in its life. */
  public enum Status {
    /** Making its first connection. */
    CONNECTING,
    /** Connected: calls go to the peer. */
    CONNECTED,
    /** The connection was lost or could not be made; trying again after a wait. */
    RECONNECTING,
    /** Closed for good (shutdown, or lost with reconnecting disabled). */
    CLOSED
  }

  private final ClientSpec spec;
  private final PacketConnectionBuilders builders;
  private volatile @Nullable ScheduledExecutorService scheduler;
  private final Object lock = new Object();
  private volatile @Nullable PacketConnection current;
  private volatile Status status = Status.CONNECTING;
  private volatile @Nullable Throwable lastFailure;
  private volatile @Nullable Instant lastFailureAt;
  private Duration delay;
  private boolean closed;
  /** Failed attempts since the last connection: the first is logged at WARN, the rest at DEBUG. */
  private int failures;

  PacketStreamClient(ClientSpec spec, PacketConnectionBuilders builders) {
    this.spec = spec;
    this.builders = builders;
    this.delay = spec.backoff() == null ? Duration.ZERO : spec.backoff().initial();
  }

  /** The client's name. */
  public String name() {
    return spec.name();
  }

  /** Where the client is in its life. */
  public Status status() {
    return status;
  }

  /**
   * Waits until the client is connected, at most {@code timeout}: for an application that must
   * not go on without its peer, or a test. True if it is connected now.
   *
   * <pre>{@code
   * if (!billing.awaitConnected(Duration.ofSeconds(30))) {
   *   throw new IllegalStateException("billing is down: " + billing.lastFailure());
   * }
   * }</pre>
   */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (status != Status.CONNECTED) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed && spec.backoff() == null) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** The connection now open, if the client is connected. */
  public Optional<PacketConnection> connection() {
    return Optional.ofNullable(current);
  }

  /** Why the last connect failed or the last connection was lost, if one did. */
  public Optional<Throwable> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /** When the last failure happened. */
  public Optional<Instant> lastFailureAt() {
    return Optional.ofNullable(lastFailureAt);
  }

  /** Sends a request on channel 0; see {@link PacketConnection#submit(long, long, byte[])}. */
  public CompletableFuture<Response> submit(long rqType, long flags, byte[] payload) {
    return submit(0, rqType, flags, payload, Duration.ZERO);
  }

  /** Sends a request; see {@link PacketConnection#submit(long, long, long, byte[], Duration)}. */
  public CompletableFuture<Response> submit(
      long channel, long rqType, long flags, byte[] payload, Duration timeout) {
    PacketConnection c = current;
    if (c == null) {
      return CompletableFuture.failedFuture(notConnected(rqType));
    }
    return c.submit(channel, rqType, flags, payload, timeout);
  }

  /** Sends a request and decodes its ok answer; see {@link PacketConnection#submit(long, long, byte[], ResponseDecoder)}. */
  public <T> CompletableFuture<T> submit(
      long rqType, long flags, byte[] payload, ResponseDecoder<T> decoder) {
    PacketConnection c = current;
    if (c == null) {
      return CompletableFuture.failedFuture(notConnected(rqType));
    }
    return c.submit(rqType, flags, payload, decoder);
  }

  /** Sends a request on channel 0 and waits for its answer. */
  public Response call(long rqType, long flags, byte[] payload)
      throws IOException, InterruptedException, TimeoutException {
    PacketConnection c = current;
    if (c == null) {
      throw notConnected(rqType);
    }
    return c.call(rqType, flags, payload);
  }

  private ConnectionClosedException notConnected(long rqType) {
    return new ConnectionClosedException("packetstream client " + spec.name() + " is "
        + status.name().toLowerCase() + ": cannot send request type " + rqType, lastFailure);
  }

  /**
   * Connects now (fail-fast) or in the background, with {@code scheduler} for the attempts;
   * again after {@link #close()}, when the context starts again.
   */
  void start(ScheduledExecutorService scheduler) throws IOException {
    synchronized (lock) {
      this.scheduler = scheduler;
      closed = false;
      status = Status.CONNECTING;
      failures = 0;
      delay = spec.backoff() == null ? Duration.ZERO : spec.backoff().initial();
    }
    if (spec.failFast()) {
      try {
        connected(spec.connector().connect(builders.builder(ConnectionRole.CLIENT, spec.name())));
      } catch (IOException | RuntimeException e) {
        synchronized (lock) {
          status = Status.CLOSED;
          closed = true;
        }
        throw e;
      }
    } else {
      scheduler.execute(this::attempt);
    }
  }

  private void attempt() {
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    try {
      connected(spec.connector().connect(builders.builder(ConnectionRole.CLIENT, spec.name())));
    } catch (IOException | RuntimeException e) {
      lost(e);
    }
  }

  private void connected(PacketConnection c) {
    synchronized (lock) {
      if (closed) {
        c.close();
        return;
      }
      current = c;
      status = Status.CONNECTED;
      failures = 0;
      lock.notifyAll();
      if (spec.backoff() != null) {
        delay = spec.backoff().initial();
      }
    }
    LOG.log(Level.INFO, () -> "packetstream client " + spec.name() + " connected: " + c);
    c.termination().whenComplete((v, e) -> {
      synchronized (lock) {
        if (current != c) {
          return;
        }
        current = null;
      }
      lost(c.failure().orElseGet(() -> new ConnectionClosedException(c.name() + " closed by its peer")));
    });
  }

  private void lost(Throwable cause) {
    Duration wait;
    boolean first;
    synchronized (lock) {
      lastFailure = cause;
      lastFailureAt = Instant.now();
      if (closed) {
        return;
      }
      first = failures++ == 0;
      if (spec.backoff() == null) {
        status = Status.CLOSED;
        closed = true;
        wait = null;
      } else {
        status = Status.RECONNECTING;
        wait = delay;
        delay = spec.backoff().next(delay);
      }
    }
    if (wait == null) {
      LOG.log(Level.WARNING, () -> "packetstream client " + spec.name() + ": " + cause
          + "; not reconnecting (reconnect.enabled=false)");
      return;
    }
    // an unreachable peer would fill the log at every attempt: tell once, then at DEBUG
    LOG.log(first ? Level.WARNING : Level.DEBUG, () -> "packetstream client " + spec.name()
        + ": " + cause + "; retrying in " + wait
        + (first ? " (further failures are logged at DEBUG until it connects)" : ""));
    try {
      scheduler.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  /** Closes the connection gracefully and stops reconnecting. */
  void close() {
    PacketConnection c;
    synchronized (lock) {
      closed = true;
      status = Status.CLOSED;
      c = current;
      current = null;
    }
    if (c != null) {
      c.close();
    }
  }

  @Override
  public String toString() {
    return "PacketStreamClient[" + spec.name() + ", " + status.name().toLowerCase() + "]";
  }
}
