package io.packetstream.spring.client;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.connection.ResponseDecoder;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.Durations;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.wire.Packet;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;

/**
 * A named connection to a peer ({@code packetstream.clients.<name>}) that outlives the connections
 * under it: inject it with {@code @Qualifier("<name>")} and call the peer; when the connection is
 * lost it reconnects with back-off, and calls made meanwhile fail with a {@link
 * ConnectionClosedException}. Requests from the peer reach the application's {@code @PacketHandler}
 * methods, as on the server.
 *
 * <p>A balanced client ({@code service-id} or {@code addresses}) keeps one such connection per
 * instance of a service, its {@link #instances()}, and sends each request over one of them that
 * takes requests; when none does, a call fails at once.
 *
 * <pre>{@code
 * @Autowired @Qualifier("billing") PacketStreamClient billing;
 * Response r = billing.call(3, 0, payload);
 * Invoice invoice = billing.submit(1, order, Invoice.class).join();
 * }</pre>
 *
 * <p>Typed calls encode their payload as a {@code @PacketHandler} method's result is encoded
 * (bytes, text and buffers as they are, null empty, other objects through the {@link
 * io.packetstream.spring.handler.PayloadCodec}) and read the answer as the result type asks ({@link
 * PacketExchange} lists the types); a not-ok answer fails them with a {@link
 * PacketRequestFailedException}, unless the result type is {@link Response}. For a whole interface
 * of calls, see {@link ImportPacketExchanges}.
 */
public final class PacketStreamClient {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(PacketStreamClient.class);

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

  /** The instances of a balanced client; null for a client of one peer. */
  private final @Nullable Balancer balancer;

  private final TypedCalls calls;
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

  /** The application is shutting down: a lost connection or a failed connect is no news. */
  private volatile boolean stopping;

  PacketStreamClient(ClientSpec spec, PacketConnectionBuilders builders, TypedCalls calls) {
    this.spec = spec;
    this.builders = builders;
    this.balancer = spec.balancing() == null ? null : new Balancer(spec, builders, calls);
    this.calls = calls;
    this.delay = spec.backoff() == null ? Duration.ZERO : spec.backoff().initial();
  }

  /** The client's name. */
  public String name() {
    return spec.name();
  }

  /**
   * Where the client is in its life; a balanced client is CONNECTED while any instance takes
   * requests.
   */
  public Status status() {
    return balancer != null ? balancer.status() : status;
  }

  /** Whether this client spreads requests over the instances of a service. */
  public boolean isBalanced() {
    return balancer != null;
  }

  /**
   * The instances of a balanced client now known, each a client of its own with one connection
   * (named {@code <name>[<instance>]}); empty for a client of one peer.
   */
  public List<PacketStreamClient> instances() {
    return balancer != null ? balancer.members() : List.of();
  }

  /**
   * Where a balanced client's instances come from and how requests spread over them, as health and
   * the endpoint show it; empty for a client of one peer.
   */
  public Optional<String> balancing() {
    return balancer != null ? Optional.of(balancer.source()) : Optional.empty();
  }

  /**
   * Looks up a balanced client's instances again soon, as after a discovery event, rather than at
   * its next refresh; nothing for a client of one peer.
   */
  public void refreshInstances() {
    if (balancer != null) {
      balancer.refreshSoon();
    }
  }

  /**
   * Waits until the client is connected, at most {@code timeout}: for an application that must not
   * go on without its peer, or a test. True if it is connected now; false at once when the client
   * is closed or has given up (reconnecting disabled).
   *
   * <pre>{@code
   * if (!billing.awaitConnected(Duration.ofSeconds(30))) {
   *   throw new IllegalStateException("billing is down: " + billing.lastFailure());
   * }
   * }</pre>
   *
   * @throws IllegalStateException if the client has not started: the context starts clients after
   *     it has made every bean, so a bean cannot wait for one while it is being made
   */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    if (!(balancer != null ? balancer.started() : scheduler != null)) {
      throw new IllegalStateException(
          "packetstream client "
              + spec.name()
              + " has not started: clients connect when the application context starts, after it"
              + " has made every bean, so a constructor, @PostConstruct or @Bean method that waits"
              + " for one would wait in vain; wait in an ApplicationRunner or an"
              + " ApplicationReadyEvent listener, or set packetstream.clients."
              + spec.name()
              + ".fail-fast=true so that start-up goes on only once it is connected");
    }
    if (balancer != null) {
      return balancer.awaitConnected(timeout);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (status != Status.CONNECTED) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /**
   * The connection now open, if the client is connected; for a balanced client, one of its
   * instances' connections that take requests.
   */
  public Optional<PacketConnection> connection() {
    return balancer != null ? balancer.anyConnection() : Optional.ofNullable(current);
  }

  /**
   * Why the last connect failed or the last connection was lost, if one did; for a balanced client,
   * the latest of its instances' failures and of its failed look-ups.
   */
  public Optional<Throwable> lastFailure() {
    return balancer != null ? balancer.lastFailure() : Optional.ofNullable(lastFailure);
  }

  /** When the last failure happened. */
  public Optional<Instant> lastFailureAt() {
    return balancer != null ? balancer.lastFailureAt() : Optional.ofNullable(lastFailureAt);
  }

  /** Sends a request on channel 0; see {@link PacketConnection#submit(long, long, byte[])}. */
  public CompletableFuture<Response> submit(long rqType, long flags, byte[] payload) {
    return submit(0, rqType, flags, payload, Duration.ZERO);
  }

  /** Sends a request; see {@link PacketConnection#submit(long, long, long, byte[], Duration)}. */
  public CompletableFuture<Response> submit(
      long channel, long rqType, long flags, byte[] payload, Duration timeout) {
    if (balancer != null) {
      return balancer.submit(rqType, c -> c.submit(channel, rqType, flags, payload, timeout));
    }
    PacketConnection c = current;
    if (c == null) {
      return CompletableFuture.failedFuture(notConnected(rqType));
    }
    return c.submit(channel, rqType, flags, payload, timeout);
  }

  /**
   * Sends a request and decodes its ok answer; see {@link PacketConnection#submit(long, long,
   * byte[], ResponseDecoder)}.
   */
  public <T> CompletableFuture<T> submit(
      long rqType, long flags, byte[] payload, ResponseDecoder<T> decoder) {
    if (balancer != null) {
      return balancer.submit(rqType, c -> c.submit(rqType, flags, payload, decoder));
    }
    PacketConnection c = current;
    if (c == null) {
      return CompletableFuture.failedFuture(notConnected(rqType));
    }
    return c.submit(rqType, flags, payload, decoder);
  }

  /**
   * Sends {@code payload} as a request of type {@code rqType} on channel 0, flags 0, and reads the
   * ok answer as {@code resultType}, waiting at most the client's {@code request-timeout}.
   *
   * @throws IllegalArgumentException if the payload cannot be encoded or the result type read
   */
  public <T> CompletableFuture<T> submit(
      long rqType, @Nullable Object payload, Class<T> resultType) {
    return submit(0, rqType, 0, payload, resultType, Duration.ZERO);
  }

  /**
   * Sends {@code payload} as a request of type {@code rqType} on {@code channel} with {@code
   * flags}, and reads the ok answer as {@code resultType}. The future fails with a {@link
   * PacketRequestFailedException} on a not-ok answer (unless {@code resultType} is {@link
   * Response}), with a {@link TimeoutException} naming the client, the channel, the type and the
   * timeout when no answer comes within {@code timeout} ({@link Duration#ZERO}: the client's {@code
   * request-timeout}, else the connection's), and with a {@link ConnectionClosedException} when the
   * client is not connected or the connection ends first. Cancelling it cancels the request.
   *
   * @throws IllegalArgumentException if the payload cannot be encoded, the result type read, a
   *     number is out of range or the timeout is negative
   */
  public <T> CompletableFuture<T> submit(
      long channel,
      long rqType,
      long flags,
      @Nullable Object payload,
      Class<T> resultType,
      Duration timeout) {
    ResolvableType type = ResolvableType.forClass(resultType);
    String problem = calls.resultProblem(type);
    if (problem != null) {
      throw new IllegalArgumentException(
          "cannot read an answer as " + resultType.getName() + ": it " + problem);
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout " + timeout + " is negative");
    }
    byte[] bytes = calls.encode(payload);
    @SuppressWarnings("unchecked")
    CompletableFuture<T> answer =
        (CompletableFuture<T>)
            (CompletableFuture<?>)
                calls.submit(
                    typedSubmitter(),
                    "packetstream client " + spec.name(),
                    channel,
                    rqType,
                    flags,
                    bytes,
                    calls.reader(type),
                    timeout);
    return answer;
  }

  /** The byte-level submit of typed calls: a zero timeout is the client's request timeout. */
  TypedCalls.Submitter typedSubmitter() {
    return new TypedCalls.Submitter() {
      @Override
      public CompletableFuture<Response> submit(
          long channel, long rqType, long flags, byte[] payload, Duration timeout) {
        return PacketStreamClient.this.submit(channel, rqType, flags, payload, timeout(timeout));
      }

      @Override
      public Duration timeout(Duration timeout) {
        return timeout.isZero() ? spec.requestTimeout() : timeout;
      }
    };
  }

  /**
   * Sends a request on channel 0 and waits for its answer.
   *
   * @throws IllegalStateException on an event loop thread (where answers' callbacks run), which
   *     must never wait: use {@link #submit} there
   */
  public Response call(long rqType, long flags, byte[] payload)
      throws IOException, InterruptedException, TimeoutException {
    if (EventLoopGroup.inEventLoop()) {
      throw new IllegalStateException(
          "packetstream client "
              + spec.name()
              + ": call() would block an event loop thread, which reads for many connections;"
              + " use submit() and a callback");
    }
    if (balancer != null) {
      return await(submit(0, rqType, flags, payload, Duration.ZERO));
    }
    PacketConnection c = current;
    if (c == null) {
      throw notConnected(rqType);
    }
    return c.call(rqType, flags, payload);
  }

  /** The answer of a balanced client's request, with the failures {@link #call} declares. */
  private static Response await(CompletableFuture<Response> request)
      throws IOException, InterruptedException, TimeoutException {
    try {
      return request.get();
    } catch (InterruptedException e) {
      request.cancel(false);
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof TimeoutException te) {
        throw te;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("request failed", cause);
    }
  }

  private ConnectionClosedException notConnected(long rqType) {
    return new ConnectionClosedException(
        "packetstream client "
            + spec.name()
            + " is "
            + status.name().toLowerCase()
            + ": cannot send request type "
            + rqType,
        lastFailure);
  }

  /**
   * Connects now (fail-fast) or in the background, with {@code scheduler} for the attempts; again
   * after {@link #close()}, when the context starts again.
   */
  void start(ScheduledExecutorService scheduler) throws IOException {
    if (balancer != null) {
      balancer.start(scheduler);
      return;
    }
    synchronized (lock) {
      this.scheduler = scheduler;
      closed = false;
      status = Status.CONNECTING;
      failures = 0;
      delay = spec.backoff() == null ? Duration.ZERO : spec.backoff().initial();
    }
    if (spec.failFast()) {
      try {
        connect();
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
      connect();
    } catch (IOException | RuntimeException e) {
      lost(e, false, false);
    }
  }

  private void connect() throws IOException {
    Ending ending = new Ending();
    connected(
        spec.connector()
            .connect(builders.builder(ConnectionRole.CLIENT, spec.name()).listener(ending)),
        ending);
  }

  private void connected(PacketConnection c, Ending ending) {
    boolean retrying;
    synchronized (lock) {
      if (closed) {
        c.close();
        return;
      }
      current = c;
      status = Status.CONNECTED;
      lock.notifyAll();
      // while failing, a connect proves nothing until the peer answers (it may accept and drop)
      retrying = failures > 0;
    }
    long since = System.nanoTime();
    LOG.log(
        retrying ? Level.DEBUG : Level.INFO,
        () -> "packetstream client " + spec.name() + " connected: " + c);
    if (retrying) {
      // the recovery the WARN of the first failure waits for
      ending.onFirstPacket(
          () ->
              LOG.log(
                  Level.INFO,
                  () ->
                      "packetstream client "
                          + spec.name()
                          + " connected: "
                          + c
                          + " (its peer answers again)"));
      if (c.packetsReceived() > 0) {
        ending.firstPacketCame(); // before the action was set
      }
    }
    c.termination()
        .whenComplete(
            (v, e) -> {
              synchronized (lock) {
                if (current != c) {
                  return;
                }
                current = null;
              }
              Throwable failure = c.failure().orElse(null);
              // a peer that never sent a packet (a server over its connection limit, or one that
              // accepts and hangs) proved nothing: the back-off goes on growing, or the client
              // would reconnect to it at the initial delay for ever. One that held the connection
              // longer than the longest wait did serve, if only an idle client: a server never
              // speaks first
              // (not one this end failed: its probe or read timeout ends a hung peer's connection
              // after about as long)
              boolean served =
                  c.packetsReceived() > 0
                      || (failure == null
                          && spec.backoff() != null
                          && System.nanoTime() - since >= spec.backoff().max().toNanos());
              lost(
                  failure != null
                      ? failure
                      : new ConnectionClosedException(c.name() + ending.describe(served)),
                  failure == null && ending.peerEof,
                  served);
            });
  }

  /**
   * How a client's connection ended without a failure, from the control packets (ERQ, EOF) that
   * crossed it: a close ends with the peer's EOF, whichever end began it; a peer that died (killed,
   * its host gone) leaves only the end of the stream.
   */
  private static final class Ending implements TrafficListener {

    private static final int OPEN = 0;
    private static final int PEER_BEGAN = 1;
    private static final int THIS_END_BEGAN = 2;

    private final AtomicInteger began = new AtomicInteger(OPEN);
    private volatile boolean peerEof;
    private volatile @Nullable Runnable firstPacket;

    /** Runs {@code action} when the peer's first request or answer arrives. */
    void onFirstPacket(Runnable action) {
      firstPacket = action;
    }

    /** The peer's first request or answer came: runs the action, once. */
    void firstPacketCame() {
      Runnable first = firstPacket;
      if (first != null && FIRST.compareAndSet(this, first, null)) {
        first.run();
      }
    }

    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Ending, Runnable>
        FIRST =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(
                Ending.class, Runnable.class, "firstPacket");

    @Override
    public void packetSent(PacketConnection connection, Packet packet, int bytes) {
      if (packet.isControl()) {
        began.compareAndSet(OPEN, THIS_END_BEGAN);
      }
    }

    @Override
    public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
      if (!packet.isControl()) {
        // a draining peer's ERQ or EOF is no sign it answers
        firstPacketCame();
      }
      if (packet.isControl()) {
        began.compareAndSet(OPEN, PEER_BEGAN);
        if (packet.isEof()) {
          peerEof = true;
        }
      }
    }

    /** What ended the connection, after its name; {@code served}: the peer sent something. */
    String describe(boolean served) {
      if (!peerEof) {
        return served
            ? ": the stream ended without the peer's EOF (the peer or the network failed)"
            : ": the stream ended without the peer's EOF, before the peer sent anything (the peer"
                + " failed, or turns connections away)";
      }
      // this end begins a close of its own only on its idle timeout, or when the application
      // closes the connection under the client
      return began.get() == THIS_END_BEGAN ? " closed by this end" : " closed by its peer";
    }
  }

  /**
   * The connection was lost or could not be made; {@code graceful}: it was closed without a failure
   * (by the peer, as in a rolling deploy, or by its idle timeout), which is logged at INFO and does
   * not count as the failure that is logged at WARN; {@code served}: the peer sent something over
   * it, which starts the back-off and the failure count again.
   */
  private void lost(Throwable cause, boolean graceful, boolean served) {
    Duration wait;
    boolean first;
    synchronized (lock) {
      lastFailure = cause;
      lastFailureAt = Instant.now();
      if (closed) {
        return;
      }
      if (served) {
        failures = 0;
        if (spec.backoff() != null) {
          delay = spec.backoff().initial();
        }
      }
      first = !graceful && failures++ == 0;
      if (spec.backoff() == null) {
        status = Status.CLOSED;
        closed = true;
        wait = null;
        lock.notifyAll(); // awaitConnected gives up too
      } else {
        status = Status.RECONNECTING;
        wait = delay;
        delay = spec.backoff().next(delay);
      }
    }
    if (wait == null) {
      LOG.log(
          stopping ? Level.DEBUG : Level.WARNING,
          () ->
              "packetstream client "
                  + spec.name()
                  + ": "
                  + cause
                  + "; not reconnecting (reconnect.enabled=false)");
      return;
    }
    if (graceful) {
      LOG.log(
          stopping ? Level.DEBUG : Level.INFO,
          () ->
              "packetstream client "
                  + spec.name()
                  + ": "
                  + cause.getMessage()
                  + "; reconnecting in "
                  + Durations.format(wait));
    } else {
      // an unreachable peer would fill the log at every attempt: tell once, then at DEBUG
      LOG.log(
          first && !stopping ? Level.WARNING : Level.DEBUG,
          () ->
              "packetstream client "
                  + spec.name()
                  + ": "
                  + cause
                  + "; retrying in "
                  + Durations.format(wait)
                  + (first
                      ? " (further failures are logged at DEBUG until its peer answers)"
                      : ""));
    }
    try {
      scheduler.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  /**
   * Whether the application is shutting down: then the end of the connection (the application's own
   * server drains it, say) and the connects that fail after it are logged at DEBUG. The client goes
   * on reconnecting until it is closed, for handlers that still call it while the server drains.
   */
  void stopping(boolean stopping) {
    this.stopping = stopping;
    if (balancer != null) {
      for (PacketStreamClient member : balancer.members()) {
        member.stopping(stopping);
      }
    }
  }

  /** Closes the connection gracefully and stops reconnecting. */
  void close() {
    if (balancer != null) {
      balancer.close();
      return;
    }
    PacketConnection c;
    synchronized (lock) {
      closed = true;
      status = Status.CLOSED;
      c = current;
      current = null;
      lock.notifyAll(); // awaitConnected gives up too
    }
    if (c != null) {
      c.close();
    }
  }

  @Override
  public String toString() {
    return "PacketStreamClient[" + spec.name() + ", " + status().name().toLowerCase() + "]";
  }
}
