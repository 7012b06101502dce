package io.packetstream.connection;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.wire.CorruptedFrameException;
import io.packetstream.wire.MalformedFrameException;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.RequestFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/**
 * One end of a packetstream connection over a byte stream: a requester and a responder at once.
 *
 * <p>This end {@linkplain #submit submits} requests and gets a future of each {@link Response}; the
 * peer's requests go to the {@link RequestHandler} of their channel. Responses may come back in any
 * order, and a slow handler never holds up the others.
 *
 * <pre>{@code
 * try (PacketConnection conn = PacketConnection.builder()
 *     .handler(request -> Response.ok(request.payload()))   // serve the peer's requests
 *     .open(socketChannel, true)) {
 *   Response r = conn.call(0, 0, "hello".getBytes(UTF_8)); // and ask the peer
 * }
 * }</pre>
 *
 * <p>Opening is nested, as in the original: the first {@link #open()} (or the builder's {@code
 * open}) starts the connection, every further one must be matched by a {@link #close()}, and the
 * last close shuts down gracefully: new requests from the peer are refused, running handlers finish
 * and their responses go out, this end's own requests get their answers, then ERQ (when enabled)
 * and EOF are sent, all within {@link Builder#closeTimeout}. {@link #abort()} ends at once. When
 * the peer ends the stream, the connection ends its own side the same way by itself.
 *
 * <p>Every request this end submits ends: with its response, a timeout when one is set, or a {@link
 * ConnectionClosedException} when the connection ends first. Every request from the peer gets
 * exactly one answer while the connection lives.
 */
public final class PacketConnection implements AutoCloseable {

  /*
   * Threads and locks.
   *
   * - Reading: over selectable channels (sockets, pipes) an event loop thread of the connection's
   *   EventLoopGroup reads whenever bytes arrive and runs received(); over streams a reader thread
   *   of the connection's own does. That thread alone feeds the FrameReader, resolves this end's
   *   pending requests and admits the peer's requests (Inbound).
   * - Writing: Outbound. Over channels the thread that queues a packet while nobody writes writes
   *   it, without blocking; the loop finishes what the channel could not take. Over streams a
   *   writer thread of the connection's own writes.
   * - Handlers run on the executor (Inbound); their answers are queued on Outbound.
   * - Callers submit, open, close and abort from any thread. Nothing here waits except close()
   *   and call() on a caller's thread: the shutdown is driven by events (the last handler
   *   answering, the last pending request ending, EOF written, the peer's EOF, the close timer),
   *   so close() from an event loop, a handler, a listener or a callback of this connection starts
   *   it and returns at once, and waits for it everywhere else.
   * - Any Throwable on a reading or writing path fails this connection (FAILED, every request
   *   ends) and never another.
   *
   * `life` guards opens, started, the shutdown flags and every write of `state`. PendingTable,
   * Inbound and Outbound each guard their own state with their own monitor; the only nesting is
   * PendingTable, then Outbound (a request and our ERQ are queued under the table's lock) and
   * Inbound, then Outbound (whether the answers are over their limit). Nothing is called out
   * (handlers, listeners, futures) while any of them is held.
   */

  private static final System.Logger LOG = Loggers.of(PacketConnection.class);
  private static final AtomicLong NAMES = new AtomicLong();
  private static final ThreadLocal<PacketConnection> WORKING = new ThreadLocal<>();

  /** Tags on every channel start here: 0 and 1 of channel 0 are the control packets. */
  static final long FIRST_TAG = PendingTable.FIRST_TAG;

  /**
   * The request type of liveness probes ({@link Builder#probeInterval}), on channel 0: 16382, whose
   * wire value 16383 ({@code ff 7f}) is the largest that fits in two bytes. The Python original has
   * no request type of its own (it reserves only wire type 0, for its control packets), and
   * applications number their types up from 0, so a type this high is unlikely to clash. A
   * connection answers the peer's requests of this type on channel 0 itself, ok and empty, whether
   * or not it probes, and never hands them to a handler.
   */
  public static final long PROBE_TYPE = 16382;

  /**
   * The payload of probes and of the answers to the peer's probes: this very array, empty, so the
   * writer tells them from other traffic without a look inside.
   */
  private static final byte[] PROBE_PAYLOAD = new byte[0];

  /** How long a close past its deadline still waits for its EOF to be written. */
  private static final long EOF_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** How long a connection must have received nothing to count as quiet and drop its buffer. */
  private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** How long the peer must have sent no request before a close this end started sends EOF. */
  static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * The longest wait a setting or a call takes, about 73 years: a longer duration ({@code
   * ChronoUnit.FOREVER}, say, for "no real limit") counts as this, so that in nanoseconds and added
   * to a clock it never overflows.
   */
  public static final Duration LONGEST_WAIT = Duration.ofNanos(Long.MAX_VALUE / 4);

  private final String name;
  private final ConnectionConfig config;
  private final TrafficListener listener;
  private final RequestHandler handler0;
  private final EventLoop loop;
  private final Io io;
  private final Outbound outbound;
  private final FrameReader reader;
  private final Inbound inbound;
  private final PendingTable pending;
  private final InboundAccount account;

  /** Resumes reading paused for the inbound budget, once there is room. */
  private final Runnable budgetResume = () -> resume(PAUSE_BUDGET);

  private final DirectAnswers direct; // null unless a BufferHandler answers on the reading thread
  private final FailureLog failures;
  private final long answerHardLimit;

  private final Object life = new Object();

  /** The close timeout of the shutdown under way: closeTimeout, or what close(Duration) gave. */
  private volatile long closeTimeoutNanos;

  private int opens; // guarded by life
  private boolean eofQueued; // guarded by life
  private boolean terminating; // guarded by life
  private boolean closeDeadlinePassed; // guarded by life
  private volatile boolean inputEnded;
  private volatile boolean eofWritten;
  private volatile int paused; // reasons to stop reading: bits below; written under life
  private static final int PAUSE_BUDGET = 1;
  private static final int PAUSE_ANSWERS = 2;

  private volatile ConnectionState state = ConnectionState.NEW;
  private volatile Throwable failure;
  private volatile boolean peerEndedRequests;
  private volatile boolean partialFrame;
  // when the peer's last request arrived, or the graceful shutdown began if none came after that
  private volatile long lastRequestNanos;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final CountDownLatch readerDone = new CountDownLatch(1);
  private volatile EventLoop.Timer closeTimer;
  private volatile EventLoop.Timer watchTimer;
  private volatile EventLoop.Timer probeTimer; // set on the loop only
  // during a read batch with a listener: where the ends of the requests answered on the loop wait
  // for the batch's write (DeferredFinishes); the loop thread's only
  private DeferredFinishes finishes;

  // what the idle timeout counts: traffic other than probes and their answers; kept only when
  // there is an idle timeout (idleTracked), as the reads and flushes would pay for it otherwise
  private final boolean idleTracked;
  private volatile long lastUserReceivedNanos;
  private volatile long lastUserSentNanos;
  private long userPacketsReceived; // the reading thread's, at its last read
  private long probePacketsReceived; // the reading thread's
  // the writer's: one at a time, handed on under the Outbound's monitor
  private long userPacketsSent; // at its last flush
  private long probePacketsSent;

  // statistics: the reading thread writes the received ones, the writer (one at a time) the sent
  private volatile long bytesReceived;
  private volatile long packetsReceived;
  private volatile long lastReceivedMillis;
  private volatile long lastReceivedNanos;
  private volatile long bytesSent;
  private volatile long packetsSent;
  private volatile long lastSentMillis;
  private volatile long openedMillis;

  private PacketConnection(ConnectionConfig config, EventLoop loop, Io io) {
    this.config = config;
    this.idleTracked = !config.idleTimeout.isZero();
    this.loop = loop;
    this.io = io;
    this.name = config.name != null ? config.name : "packetstream-" + NAMES.incrementAndGet();
    this.listener = config.listener();
    this.handler0 = config.handlers.get(0L);
    this.failures = new FailureLog(LOG, name);
    this.account = new InboundAccount(config.eventLoops.budget(), config.bufferSize);
    this.outbound =
        new Outbound(
            new Writes(),
            config.eventLoops,
            loop,
            io.nonBlocking(),
            config.packetGrace.toNanos(),
            config.maxQueuedAnswerBytes);
    outbound.sink(io);
    this.answerHardLimit = answerHardLimit(config.maxQueuedAnswerBytes);
    this.pending = new PendingTable(config.maxPendingRequests);
    this.inbound = new Inbound(this, config, account, outbound::overLimit);
    this.reader =
        new FrameReader(
            new PacketCodec(config.maxFrameLength), new Reads(), account, config.bufferSize);
    this.direct =
        config.bufferHandler != null && listener == TrafficListener.NONE && io.nonBlocking()
            ? new DirectAnswers(
                this,
                config.bufferHandler,
                outbound,
                loop,
                config.bufferSize,
                config.maxOutboundFrameLength)
            : null;
    pending.onEmpty(this::checkDrained);
  }

  /**
   * How many bytes of queued answers stop the reading of a peer that floods past the request queue
   * without reading its answers: a quarter (at least 64 KiB) over {@code maxQueuedAnswerBytes},
   * saturated at {@link Long#MAX_VALUE}, the setting's "no limit".
   */
  static long answerHardLimit(long maxQueuedAnswerBytes) {
    long margin = Math.max(64 * 1024, maxQueuedAnswerBytes / 4);
    return maxQueuedAnswerBytes > Long.MAX_VALUE - margin
        ? Long.MAX_VALUE
        : maxQueuedAnswerBytes + margin;
  }

  /** A builder with the library's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The JVM's shared pool of platform threads for handlers, the default {@link Builder#executor} on
   * Java 17 (up to 512 daemon threads made as needed and ended when idle, further tasks queued,
   * never refused): for builders that want platform threads on any Java version.
   */
  public static Executor platformHandlerExecutor() {
    return DefaultThreads.platformHandlerExecutor();
  }

  // ---------------------------------------------------------------- requester

  /** Sends a request on channel 0; the future completes with the peer's response, ok or not. */
  public CompletableFuture<Response> submit(long rqType, long flags, byte[] payload) {
    return submit(0, rqType, flags, payload, Duration.ZERO);
  }

  /**
   * Sends a request on {@code channel}; the future completes with the peer's response, ok or not.
   *
   * <p>The future fails with a {@link TimeoutException} if no response comes within {@code timeout}
   * ({@link Duration#ZERO}: the connection's {@link Builder#requestTimeout}), with a {@link
   * ConnectionClosedException} if the connection is not open or ends first, and with a {@link
   * RejectedExecutionException} if {@link Builder#maxPendingRequests} are already pending. It
   * completes on the thread that read the answer, an event loop's over sockets: use the {@code
   * ...Async} stages for work that blocks. Completing or obtruding the future yourself abandons the
   * request.
   *
   * @throws IllegalArgumentException before anything is sent, if a number is out of range, the
   *     timeout is negative, or the request's frame would be longer than {@link
   *     Builder#maxOutboundFrameLength}
   */
  public CompletableFuture<Response> submit(
      long channel, long rqType, long flags, byte[] payload, Duration timeout) {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    if (channel < 0
        || rqType < 0
        || rqType > Packet.MAX_RQ_TYPE
        || flags < 0
        || flags > Packet.MAX_FLAGS) {
      throw new IllegalArgumentException(
          "channel "
              + channel
              + ", request type "
              + rqType
              + " or flags "
              + flags
              + " out of range");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout " + timeout + " is negative");
    }
    // in nanoseconds before anything is sent: toNanos() throws for a timeout of centuries
    long timeoutNanos = (timeout.isZero() ? config.requestTimeout : capped(timeout)).toNanos();
    if (payload.length > config.maxOutboundFrameLength - 4) {
      // the exact check below needs a tag; this one keeps tags for requests that can go
      long body = (long) payload.length + 4;
      throw new IllegalArgumentException(
          name
              + ": a request of at least "
              + body
              + " frame bytes is over the limit maxOutboundFrameLength="
              + config.maxOutboundFrameLength);
    }
    long tag = pending.nextTag(channel);
    Packet packet = new Packet(channel, tag, flags, true, rqType, payload);
    int body = PacketCodec.bodyLength(packet);
    if (body > config.maxOutboundFrameLength) {
      throw new IllegalArgumentException(
          name
              + ": a request of "
              + body
              + " frame bytes is over the limit maxOutboundFrameLength="
              + config.maxOutboundFrameLength);
    }
    // the clock only for a listener that hears how long requests took: it costs like the rest of
    // a submit together on a VM's clock
    long start = listener == TrafficListener.NONE ? 0 : System.nanoTime();
    PendingRequest request = new PendingRequest(this, channel, tag, rqType, start);
    // before the request can be answered: a listener sees its start before its end
    listener.requestStarted(this, Direction.OUTBOUND, channel, tag, rqType);
    int queued;
    try {
      if (state == ConnectionState.NEW) {
        throw new ConnectionClosedException(
            name + " is not open: cannot send request type " + rqType);
      }
      if (peerEndedRequests) {
        // the peer refuses every request after its ERQ: say so here, without a round trip
        throw new ConnectionClosedException(
            name + ": the peer ended requests (ERQ): cannot send" + " request type " + rqType);
      }
      queued = pending.add(request, packet, outbound);
    } catch (ConnectionClosedException | RejectedExecutionException e) {
      request.fail(e, Outcome.REJECTED);
      return request;
    }
    if (queued == Outbound.CLAIMED) {
      outbound.drain();
    }
    if ((paused & PAUSE_BUDGET) != 0) {
      // its answer must be read, whatever the budget; received() checks the table after it pauses
      account.stopWaiting();
      resume(PAUSE_BUDGET);
    }
    if (timeoutNanos != 0) {
      request.timeout(timeoutNanos);
    }
    return request;
  }

  /**
   * Sends a request on channel 0 and decodes its ok response with {@code decoder}. A not-ok
   * response fails the future with a {@link RequestFailedException}; cancelling the future cancels
   * the request.
   */
  public <T> CompletableFuture<T> submit(
      long rqType, long flags, byte[] payload, ResponseDecoder<T> decoder) {
    Objects.requireNonNull(decoder, "decoder");
    CompletableFuture<Response> request = submit(rqType, flags, payload);
    CompletableFuture<T> result = new CompletableFuture<>();
    request.whenComplete(
        (response, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else if (response == null || !response.ok()) {
            result.completeExceptionally(
                response == null
                    ? new ConnectionClosedException(name + ": the request was abandoned")
                    : new RequestFailedException(response));
          } else {
            try {
              result.complete(decoder.decode(response.flags(), response.payload()));
            } catch (Exception | Error e) {
              // an Error too: thrown out of this callback it is lost, and the caller waits for ever
              result.completeExceptionally(e);
            }
          }
        });
    result.whenComplete(
        (value, error) -> {
          if (result.isCancelled()) {
            request.cancel(false);
          }
        });
    return result;
  }

  /**
   * Sends a request on channel 0 and waits for its response: without a {@link
   * Builder#requestTimeout}, until it comes or the connection ends.
   */
  public Response call(long rqType, long flags, byte[] payload)
      throws IOException, InterruptedException, TimeoutException {
    return call(0, rqType, flags, payload, Duration.ZERO);
  }

  /**
   * Sends a request and waits for its response, at most {@code timeout} ({@link Duration#ZERO}: the
   * connection's {@link Builder#requestTimeout}). With neither set it waits until the answer comes
   * or the connection ends, however long that takes: pass a timeout when the peer may never answer.
   *
   * @throws ConnectionClosedException if the connection is not open or ends first
   * @throws TimeoutException if no response comes in time
   * @throws InterruptedException if the thread is interrupted while waiting; the request is
   *     cancelled and the thread's interrupt flag stays set
   * @throws IllegalStateException on an event loop thread, which must never block: use {@link
   *     #submit} there
   */
  public Response call(long channel, long rqType, long flags, byte[] payload, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    if (EventLoop.onAnyLoop()) {
      throw new IllegalStateException(
          name
              + ": call() would block an event loop thread, which"
              + " reads for many connections; use submit() and a callback");
    }
    CompletableFuture<Response> request = submit(channel, rqType, flags, payload, timeout);
    try {
      Response r = request.get();
      if (r == null) {
        throw new ConnectionClosedException(name + ": the request was abandoned");
      }
      return r;
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
      throw new IOException(name + ": request failed", cause);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Opens the connection once more: the first open starts it; each open needs its own {@link
   * #close()}. Returns this connection.
   *
   * @throws IllegalStateException if the connection is closing or has ended, or its last close has
   *     been called
   */
  public PacketConnection open() {
    boolean start;
    synchronized (life) {
      if (state == ConnectionState.NEW && !terminating) {
        state = ConnectionState.OPEN;
        opens = 1;
        start = true;
      } else if (state == ConnectionState.OPEN && opens > 0) {
        opens++;
        start = false;
      } else {
        throw new IllegalStateException(
            name
                + " is "
                + (state == ConnectionState.OPEN ? "closing" : state.name().toLowerCase()));
      }
    }
    if (start) {
      start();
    }
    return this;
  }

  private void start() {
    openedMillis = System.currentTimeMillis();
    lastReceivedNanos = System.nanoTime();
    lastUserReceivedNanos = lastReceivedNanos;
    lastUserSentNanos = lastReceivedNanos;
    config.eventLoops.connectionOpened();
    try {
      listener.connectionOpened(this);
      if (!config.readSpin.isZero() && io.nonBlocking()) {
        loop.spin(config.readSpin.toNanos());
      }
      io.start(this);
    } catch (Throwable t) {
      terminate(t, "failed to start: " + t);
      throw t;
    }
    watch();
    if (!config.probeInterval.isZero()) {
      loop.execute(this::scheduleProbe);
    }
  }

  /**
   * Closes one level of nesting; the last close shuts the connection down gracefully and returns
   * when it has ended, or after {@link Builder#closeTimeout} at most. Before its EOF, a close this
   * end started waits until the peer has sent no request for 100 ms (unless the peer said it sends
   * no more): requests it sent before it read this end's ERQ may still be on their way. So a close
   * takes at least about 100 ms; close many connections in parallel, not one after another.
   *
   * <p>Called where waiting would wait for itself or stall others (an event loop thread, one of
   * this connection's handlers, listeners or reader and writer threads), the last close starts the
   * shutdown and returns at once: use {@link #termination()} to learn when it has ended.
   */
  @Override
  public void close() {
    close(config.closeTimeout);
  }

  /**
   * Closes as {@link #close()} does, with {@code timeout} in place of {@link Builder#closeTimeout}
   * for this shutdown: a server draining its connections gives them its own shutdown timeout.
   */
  public void close(Duration timeout) {
    if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
      throw new IllegalArgumentException("close timeout " + timeout + " is negative");
    }
    long nanos = capped(timeout).toNanos();
    synchronized (life) {
      if (opens == 0 || terminating) {
        return;
      }
      if (--opens > 0) {
        return;
      }
    }
    beginShutdown(false, nanos);
    if (mayWait()) {
      awaitTermination(nanos + 2 * EOF_FLUSH_NANOS);
    }
  }

  /**
   * Ends the connection at once: pending requests fail, running handlers' answers are dropped, and
   * the transport is closed if the connection owns it. It never waits.
   *
   * <p>Over streams it does not own, the connection cannot always release its reader: a thread
   * blocked reading a plain {@link InputStream} ignores interrupts. The caller then closes the
   * stream (or the socket under it) to end the reader.
   */
  public void abort() {
    terminate(null, "aborted");
  }

  /**
   * Waits for the receiving side to end (the peer's EOF, the end of the stream, or an error); the
   * connection may still be draining then, its requests not yet ended: {@link #termination()} says
   * when it has ended.
   */
  public void join() throws InterruptedException {
    readerDone.await();
  }

  /** Waits up to {@code timeout} for the receiving side to end; true if it did. */
  public boolean join(Duration timeout) throws InterruptedException {
    return readerDone.await(capped(timeout).toNanos(), TimeUnit.NANOSECONDS);
  }

  /** {@code d}, or {@link #LONGEST_WAIT} if it is longer. */
  static Duration capped(Duration d) {
    return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
  }

  /** A stage that completes when the connection has ended, cleanly or not. */
  public CompletionStage<Void> termination() {
    return terminated.minimalCompletionStage();
  }

  // ---------------------------------------------------------------- observation

  /** The connection's name, for logs, metrics and health. */
  public String name() {
    return name;
  }

  /** Where the connection is in its life. */
  public ConnectionState state() {
    return state;
  }

  /** The error that ended the connection, when it {@linkplain ConnectionState#FAILED failed}. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** The peer's address, when the connection runs over a socket. */
  public Optional<SocketAddress> remoteAddress() {
    return io.remoteAddress();
  }

  /**
   * The TLS session of a connection over TLS, once its handshake has finished: under mutual TLS the
   * peer's certificates and principal ({@code getPeerPrincipal()}), to tell who the peer is; the
   * protocol and cipher suite. Empty for a connection that is not over TLS, or whose handshake has
   * not finished (over an {@code SSLSocket}: before any bytes have crossed it, which tells, without
   * waiting, that it has).
   */
  public Optional<javax.net.ssl.SSLSession> tlsSession() {
    if (!io.nonBlocking() && bytesReceived == 0 && bytesSent == 0) {
      // SSLSocket.getSession() would start or wait for the handshake, without a time limit
      return Optional.empty();
    }
    return io.tlsSession();
  }

  /** When the connection was first opened. */
  public Optional<Instant> openedAt() {
    return instant(openedMillis);
  }

  /** When bytes last arrived from the peer. */
  public Optional<Instant> lastReceivedAt() {
    return instant(lastReceivedMillis);
  }

  /** When bytes were last written to the peer. */
  public Optional<Instant> lastSentAt() {
    return instant(lastSentMillis);
  }

  /** Bytes received so far. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Bytes sent so far. */
  public long bytesSent() {
    return bytesSent;
  }

  /** Packets received so far. */
  public long packetsReceived() {
    return packetsReceived;
  }

  /** Packets sent so far. */
  public long packetsSent() {
    return packetsSent;
  }

  /** Requests this end sent that await their answer (with a liveness probe awaiting its own). */
  public int pendingRequests() {
    return pending.size();
  }

  /** The peer's requests in progress: their handlers are running, or their answers come later. */
  public int runningRequests() {
    return inbound.running();
  }

  /**
   * Bytes of answers to the peer queued for writing, each counted as its payload plus a small fixed
   * overhead. Over {@link Builder#maxQueuedAnswerBytes} the peer's new requests wait: a high value
   * means the peer reads its answers slowly, or not at all.
   */
  public long queuedAnswerBytes() {
    return outbound.answerBytes();
  }

  /** The peer's requests waiting for a free handler slot. */
  public int queuedRequests() {
    return inbound.queued();
  }

  /** Whether the peer has said (ERQ) that it sends no more requests. */
  public boolean peerEndedRequests() {
    return peerEndedRequests;
  }

  @Override
  public String toString() {
    return "PacketConnection["
        + name
        + ", "
        + state.name().toLowerCase()
        + remoteAddress().map(a -> ", " + a).orElse("")
        + "]";
  }

  private static Optional<Instant> instant(long millis) {
    return millis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }

  // ---------------------------------------------------------------- threads at work

  /** Marks the current thread as working for this connection; returns what to restore. */
  PacketConnection enter() {
    PacketConnection outer = WORKING.get();
    WORKING.set(this);
    return outer;
  }

  void exit(Object outer) {
    WORKING.set((PacketConnection) outer);
  }

  /**
   * The connection whose work the calling thread is doing now: one of its handlers, its traffic
   * listeners, or its reader or writer thread; empty elsewhere. Code that would wait for that
   * connection to end (as a server closing it does) would wait for itself there.
   */
  public static Optional<PacketConnection> current() {
    return Optional.ofNullable(WORKING.get());
  }

  /** Whether close() may wait here without waiting for itself or stalling other connections. */
  private boolean mayWait() {
    Thread t = Thread.currentThread();
    return !EventLoop.onAnyLoop()
        && WORKING.get() != this
        && t != io.readerThread()
        && t != io.writerThread();
  }

  EventLoop loop() {
    return loop;
  }

  /** The transport; for tests. */
  Io io() {
    return io;
  }

  Thread newThread(Runnable task, String role) {
    Thread t = config.ioThreads.newThread(task);
    t.setName("packetstream " + name + " " + role);
    return t;
  }

  void writerThread(Thread writer) {
    outbound.writerThread(writer);
  }

  void runWriter() {
    PacketConnection outer = enter();
    try {
      outbound.runWriter();
    } finally {
      exit(outer);
    }
  }

  // ---------------------------------------------------------------- receiving (the reading thread)

  void beginBatch() {
    outbound.beginBatch();
    if (listener != TrafficListener.NONE) {
      DeferredFinishes f = loop.deferredFinishes();
      if (f.take()) {
        finishes = f;
      }
    }
  }

  void endBatch() {
    try {
      outbound.endBatch();
    } finally {
      DeferredFinishes f = finishes;
      if (f != null) {
        finishes = null; // what is answered while the listener hears goes straight to it
        try {
          f.tell(listener, this);
        } finally {
          f.release();
        }
      }
    }
  }

  /**
   * Tells the listener the request ends the batch kept; any answered meanwhile go straight to it.
   */
  private void tellFinishes() {
    DeferredFinishes f = finishes;
    finishes = null;
    try {
      f.tell(listener, this);
    } finally {
      finishes = f;
    }
  }

  /**
   * Bytes arrived: {@code bytes} holds {@code n} of them. Returns false when reading must stop for
   * now (the peer's EOF, or a limit paused it).
   */
  boolean received(ByteBuffer bytes, int n) throws IOException {
    if (finishes != null && !finishes.isEmpty()) {
      // the peer may have read answers this batch wrote earlier and used their tags again: their
      // requests end before any this read brings starts
      tellFinishes();
    }
    long now = System.nanoTime();
    lastReceivedNanos = now;
    lastReceivedMillis = System.currentTimeMillis();
    bytesReceived += n;
    boolean more = reader.feed(bytes);
    partialFrame = reader.holdsBytes();
    countUserTraffic(now);
    if (!more) {
      return false;
    }
    // never while this end awaits answers from the peer: they may lie behind the partial frame,
    // and the handlers holding the budget may be the ones waiting for them
    if (account.readerMustPause(reader.charged()) && pending.isEmpty()) {
      pause(PAUSE_BUDGET);
      account.awaitRoom(budgetResume);
      // a submit that came after the check and before the pause did not see the pause: this end
      // sees its request instead (submit adds, then reads the pause; this end pauses, then reads)
      if (!pending.isEmpty()) {
        account.stopWaiting();
        resume(PAUSE_BUDGET);
        return paused == 0;
      }
      return false;
    }
    return true;
  }

  /** Reading resumes: hands on what the reader kept; false if it must stop again. */
  boolean resumeInput() {
    try {
      boolean more = reader.resume();
      partialFrame = reader.holdsBytes();
      countUserTraffic(System.nanoTime());
      return more && paused == 0;
    } catch (Throwable t) {
      ioFailed(t);
      return false;
    }
  }

  /** After a read: whether it brought the idle timeout anything but probes and their answers. */
  private void countUserTraffic(long now) {
    if (!idleTracked) {
      return;
    }
    long user = packetsReceived - probePacketsReceived;
    if (user != userPacketsReceived || partialFrame) {
      userPacketsReceived = user;
      lastUserReceivedNanos = now;
    }
  }

  /** A stream's reader thread is done: what its reader kept goes back to the budget. */
  void readerExited() {
    reader.release();
  }

  /** The stream ended (not the peer's EOF packet: the bytes themselves). */
  void receivedEnd() {
    if (!inputEnded) {
      try {
        reader.endOfInput();
      } catch (CorruptedFrameException e) {
        ioFailed(e);
        return;
      }
    }
    inputEnded("stream ended");
  }

  /** Reading or writing failed, or a reading path threw: the connection fails. */
  void ioFailed(Throwable error) {
    if (state.isTerminal()) {
      return;
    }
    if (error instanceof MalformedFrameException) {
      PeerFaultLog.MALFORMED.ended(name, "receiving failed: " + error);
    } else {
      LOG.log(Level.DEBUG, () -> name + ": receiving failed", error);
    }
    terminate(error, "receiving failed: " + error);
  }

  private void pause(int reason) {
    synchronized (life) {
      paused |= reason;
    }
    io.pauseReading();
  }

  private void resume(int reason) {
    boolean go;
    synchronized (life) {
      go = (paused & reason) != 0 && (paused &= ~reason) == 0 && !inputEnded && !terminating;
    }
    if (go) {
      lastReceivedNanos = System.nanoTime(); // the read timeout counts from here
      io.resumeReading();
    }
  }

  /** The packets the reader decodes, on the reading thread. */
  private final class Reads implements FrameReader.Sink {

    @Override
    public boolean wantsFrames() {
      return direct != null
          && state == ConnectionState.OPEN
          && !peerEndedRequests
          && !outbound.overLimit();
    }

    @Override
    public boolean request(ByteBuffer buffer, RequestFrame frame) throws IOException {
      if (frame.rqType() == PROBE_TYPE) {
        return false; // answered by the connection, on the regular path
      }
      packetsReceived++;
      lastRequestNanos = lastReceivedNanos; // the read's own time: no clock read per request
      direct.answer(buffer, frame);
      return true;
    }

    @Override
    public boolean packet(Packet packet, int frameBytes) throws IOException {
      packetsReceived++;
      listener.packetReceived(PacketConnection.this, packet, frameBytes);
      if (!packet.request()) {
        PendingRequest request = pending.remove(packet.channel(), packet.tag());
        if (request == null) {
          LOG.log(
              Level.DEBUG,
              () -> name + ": dropping a response that matches no pending request: " + packet);
        } else {
          if (request.probe) {
            probePacketsReceived++;
          }
          request.resolve(new Response(packet.ok(), packet.resultFlags(), packet.payload()));
        }
        return true;
      }
      if (packet.isControl()) {
        if (packet.isEof()) {
          io.pauseReading();
          inputEnded("peer sent EOF");
          return false;
        }
        if (packet.isErq()) {
          peerEndedRequests = true;
          inbound.refuse(Inbound.REFUSE_AFTER_ERQ, false);
          return true;
        }
        throw new CorruptedFrameException(
            "malformed control packet (wire request type 0 but not EOF or ERQ): " + packet);
      }
      admit(packet);
      if (outbound.answerBytes() > answerHardLimit && inbound.overflowing()) {
        // the peer floods past the queue and does not read its answers: stop reading it until it
        // does, and TCP holds it back
        pause(PAUSE_ANSWERS);
        if (!outbound.overLimit()) {
          resume(PAUSE_ANSWERS);
        }
        return false;
      }
      return true;
    }
  }

  private void admit(Packet packet) {
    long channel = packet.channel();
    long tag = packet.tag();
    if (channel == 0 && packet.rqType() == PROBE_TYPE) {
      // the peer asks whether we are there: the connection says so, and no handler or listener
      // hears of it as a request
      probePacketsReceived++;
      outbound.enqueue(Packet.response(0, tag, true, 0, PROBE_PAYLOAD));
      return;
    }
    // a request starts when the read that brought it ended: no clock read per request
    long startNanos = lastReceivedNanos;
    lastRequestNanos = startNanos;
    listener.requestStarted(this, Direction.INBOUND, channel, tag, packet.rqType());
    RequestHandler handler = channel == 0 ? handler0 : config.handlers.get(channel);
    String refusal =
        handler == null
            ? (channel == 0 ? Inbound.REFUSE_NO_HANDLER : Inbound.REFUSE_UNKNOWN_CHANNEL)
            : inbound.admit(packet, handler, startNanos);
    if (refusal != null) {
      LOG.log(Level.DEBUG, () -> name + ": refusing " + packet + ": " + refusal);
      outbound.enqueue(
          Packet.response(channel, tag, false, 0, refusal.getBytes(StandardCharsets.US_ASCII)));
      listener.requestFinished(
          this,
          Direction.INBOUND,
          channel,
          tag,
          packet.rqType(),
          Outcome.REJECTED,
          System.nanoTime() - startNanos);
    }
  }

  // ---------------------------------------------------------------- handlers (any thread)

  void execute(InboundRequest request) {
    inbound.execute(request);
  }

  /**
   * The handler executor refused a request; it waits and is tried again after {@code pauseNanos}.
   */
  void executorRefused(RejectedExecutionException e, long pauseNanos) {
    LOG.log(
        Level.DEBUG,
        () ->
            name
                + ": the handler executor is busy ("
                + e.getMessage()
                + "); requests wait in the queue and start again in "
                + pauseNanos / 1000
                + " us");
  }

  /** A request that can no longer start, because the connection ended. */
  void abandoned(InboundRequest r) {
    listener.requestFinished(
        this,
        Direction.INBOUND,
        r.packet.channel(),
        r.packet.tag(),
        r.packet.rqType(),
        Outcome.ERROR,
        System.nanoTime() - r.startNanos);
  }

  Response failureResponse(InboundRequest request, Throwable error) {
    if (error instanceof RequestFailedException failed) {
      return failed.response();
    }
    handlerFailed(request.packet.rqType(), error);
    return Response.failure();
  }

  void handlerFailed(long rqType, Throwable error) {
    try {
      if (endedWithThis(error)) {
        // it failed because this connection ended (its own call to the peer could get no answer):
        // the end is logged as such, and a warning per forwarding handler would only repeat it
        LOG.log(
            Level.DEBUG,
            () -> name + ": handler for request type " + rqType + " failed as its connection ended",
            error);
        return;
      }
      failures.failed("handler for request type " + rqType, error);
    } catch (Throwable t) {
      // a log that fails (a broken appender) must not cost the peer its answer, or the slot
    }
  }

  void respond(InboundRequest request, Response response) {
    Packet p = request.packet;
    Packet answer =
        Packet.response(p.channel(), p.tag(), response.ok(), response.flags(), response.payload());
    if (PacketCodec.bodyLength(answer) > config.maxOutboundFrameLength) {
      response = answerTooLarge(p.channel(), p.tag(), p.rqType(), response.payload().length);
      answer = Packet.response(p.channel(), p.tag(), false, 0, response.payload());
    }
    boolean sent = outbound.enqueue(answer);
    Outcome outcome = !sent ? Outcome.ERROR : response.ok() ? Outcome.OK : Outcome.FAILED;
    long nanos = System.nanoTime() - request.startNanos;
    DeferredFinishes f = finishes;
    if (f != null && loop.inLoop()) {
      if (f.isFull()) {
        tellFinishes();
      }
      f.add(p.channel(), p.tag(), p.rqType(), outcome, nanos);
      return;
    }
    listener.requestFinished(
        this, Direction.INBOUND, p.channel(), p.tag(), p.rqType(), outcome, nanos);
  }

  /**
   * The not-ok answer sent in place of one whose {@code size} payload bytes make a frame over
   * maxOutboundFrameLength, which the peer would drop the connection for; on every path an answer
   * takes.
   */
  Response answerTooLarge(long channel, long tag, long rqType, int size) {
    LOG.log(
        Level.DEBUG,
        () ->
            name
                + ": answer to request type "
                + rqType
                + " (channel "
                + channel
                + ", tag "
                + tag
                + ") of "
                + size
                + " bytes is over maxOutboundFrameLength="
                + config.maxOutboundFrameLength);
    return Response.failure(
        "answer too large: "
            + size
            + " bytes (limit maxOutboundFrameLength="
            + config.maxOutboundFrameLength
            + ")");
  }

  /** Whether {@code error} is, or was caused by, the end of this connection. */
  private boolean endedWithThis(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      String m = e instanceof ConnectionClosedException ? e.getMessage() : null;
      // its messages begin with the connection's name
      if (m != null
          && m.startsWith(name)
          && m.length() > name.length()
          && (m.charAt(name.length()) == ':' || m.charAt(name.length()) == ' ')) {
        return true;
      }
    }
    return false;
  }

  /** See {@link Inbound#awaitLater}. */
  InboundRequest awaitLater(InboundRequest request) {
    return inbound.awaitLater(request);
  }

  void answeredLater(InboundRequest request) {
    inbound.answeredLater(request);
  }

  /** Frees the request's slot; returns the queued request that takes it over, if any. */
  InboundRequest release(InboundRequest request) {
    return inbound.release(request);
  }

  /** No request of the peer runs or waits. */
  void inboundIdle() {
    checkDrained();
  }

  // ---------------------------------------------------------------- pending requests

  /** Takes a request out of the pending table; true if it was there. */
  boolean removePending(PendingRequest request) {
    return pending.remove(request);
  }

  void requestEnded(PendingRequest request, Outcome outcome) {
    if (request.probe || listener == TrafficListener.NONE) {
      return; // listeners never saw it start, or there is none
    }
    listener.requestFinished(
        this,
        Direction.OUTBOUND,
        request.channel,
        request.tag,
        request.rqType,
        outcome,
        System.nanoTime() - request.startNanos);
  }

  // ---------------------------------------------------------------- writer events

  void writable() {
    outbound.writable();
  }

  /** What the writer tells the connection, on whichever thread writes. */
  private final class Writes implements Outbound.Events {

    @Override
    public void sent(Packet packet, int bytes) {
      bytesSent += bytes;
      packetsSent++;
      if (packet.payload() == PROBE_PAYLOAD) {
        probePacketsSent++;
      }
      if (listener == TrafficListener.NONE) {
        return; // no ThreadLocal work per packet when nobody listens
      }
      PacketConnection outer = enter();
      try {
        listener.packetSent(PacketConnection.this, packet, bytes);
      } finally {
        exit(outer);
      }
    }

    @Override
    public void sentDirect(int bytes) {
      bytesSent += bytes;
      packetsSent++;
    }

    @Override
    public void flushed() {
      lastSentMillis = System.currentTimeMillis();
      if (!idleTracked) {
        return;
      }
      long user = packetsSent - probePacketsSent;
      if (user != userPacketsSent) {
        userPacketsSent = user;
        lastUserSentNanos = System.nanoTime();
      }
    }

    @Override
    public void answersDrained() {
      inbound.startQueued();
      resume(PAUSE_ANSWERS);
    }

    @Override
    public void finished() {
      eofWritten = true;
      boolean end;
      synchronized (life) {
        end = inputEnded || closeDeadlinePassed;
      }
      if (end) {
        terminate(null, "closed");
      }
    }

    @Override
    public void failed(Throwable error) {
      if (!state.isTerminal()) {
        LOG.log(Level.DEBUG, () -> name + ": write failed", error);
        terminate(error, "write failed: " + error);
      }
    }
  }

  // ---------------------------------------------------------------- ending

  /** Nothing more comes from the peer: its EOF, or the end of the stream. */
  private void inputEnded(String why) {
    if (inputEnded) {
      return;
    }
    inputEnded = true;
    readerDone.countDown();
    if (state.isTerminal()) {
      return;
    }
    // our pending requests can never be answered now
    List<PendingRequest> orphans = pending.clear(name + " is ended by its peer");
    ConnectionClosedException closed =
        new ConnectionClosedException(name + ": " + why + " before the response arrived");
    // a listener's Error must not strand the rest: every orphan ends, the shutdown goes on, then
    // it is thrown on
    Throwable thrown = null;
    for (PendingRequest request : orphans) {
      try {
        request.fail(closed, Outcome.ERROR);
      } catch (Throwable t) {
        thrown = first(thrown, t);
      }
    }
    if (eofWritten) {
      terminate(null, "closed");
    } else {
      beginShutdown(true, config.closeTimeout.toNanos());
      checkDrained();
    }
    if (thrown instanceof Error e) {
      throw e;
    }
    if (thrown instanceof RuntimeException e) {
      throw e;
    }
  }

  /**
   * Starts the graceful shutdown: refuse new requests, let running handlers answer, wait for our
   * own answers, send ERQ and EOF, wait for the peer's EOF; bounded by the close timeout. Every
   * step after this one is taken by an event ({@link #checkDrained}).
   */
  private void beginShutdown(boolean peerEnded, long closeNanos) {
    synchronized (life) {
      if (state != ConnectionState.OPEN || terminating) {
        return;
      }
      state = ConnectionState.DRAINING;
    }
    // a peer that has sent nothing since may have a request on its way: linger from now
    lastRequestNanos = System.nanoTime();
    inbound.refuse(Inbound.REFUSE_CLOSING, true);
    Packet erq = config.sendErq && !peerEnded && !inputEnded ? Packet.ERQ : null;
    if (pending.stop(name + " is draining", erq, outbound) == Outbound.CLAIMED) {
      outbound.drain();
    }
    closeTimeoutNanos = closeNanos;
    closeTimer = loop.schedule(this::closeDeadline, closeNanos);
    checkDrained();
  }

  /**
   * The next shutdown step, when the handlers and our own requests are done: EOF. A close this end
   * started also waits until the peer has sent no request for {@link #LINGER_NANOS} (unless it said
   * ERQ or EOF): requests it sent before it read our ERQ are still on their way, and after our EOF
   * they could get no answer, not even a refusal.
   */
  private void checkDrained() {
    if (state != ConnectionState.DRAINING || !inbound.isIdle() || !pending.isEmpty()) {
      return;
    }
    if (!inputEnded && !peerEndedRequests) {
      long quiet = System.nanoTime() - lastRequestNanos;
      if (quiet < LINGER_NANOS) {
        loop.schedule(this::checkDrained, LINGER_NANOS - quiet);
        return;
      }
    }
    synchronized (life) {
      if (eofQueued || terminating) {
        return;
      }
      eofQueued = true;
    }
    outbound.finish();
  }

  /** The close timeout ran out: EOF goes now, and the connection ends soon after. */
  private void closeDeadline() {
    boolean queueEof;
    synchronized (life) {
      if (terminating) {
        return;
      }
      closeDeadlinePassed = true;
      queueEof = !eofQueued;
      eofQueued = true;
    }
    if (eofWritten) {
      terminate(null, "closed");
      return;
    }
    LOG.log(
        Level.DEBUG,
        () ->
            name
                + ": close timed out after "
                + TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos)
                + "ms");
    if (queueEof) {
      outbound.finish();
    }
    // a late close still gets its EOF out, unless the peer has stopped reading altogether
    loop.schedule(() -> terminate(null, "closed"), EOF_FLUSH_NANOS);
  }

  private void awaitTermination(long nanos) {
    try {
      terminated.get(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // ended badly or not in time: nothing more to wait for
    }
  }

  /** Ends the connection for good; the first call wins. Never waits. */
  private void terminate(Throwable cause, String why) {
    boolean cutOff;
    synchronized (life) {
      if (terminating) {
        return;
      }
      terminating = true;
      cutOff = closeDeadlinePassed && cause == null;
      opens = 0;
      failure = cause;
      state = cause == null ? ConnectionState.CLOSED : ConnectionState.FAILED;
    }
    cancel(closeTimer);
    cancel(watchTimer);
    cancel(probeTimer);
    if (!config.readSpin.isZero() && io.nonBlocking() && openedMillis != 0) {
      loop.unspin(config.readSpin.toNanos());
    }
    outbound.stop();
    io.close();
    if (!io.owned() && io.readerThread() != null) {
      io.readerThread().interrupt();
    }
    if (io.nonBlocking()) {
      loop.execute(reader::release);
    }
    // a request its own connection's close cut off: "closed" alone reads as a call made too late
    String pendingWhy =
        cutOff
            ? why
                + " when its close timeout of "
                + TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos)
                + "ms ran out, before the response arrived"
            : why;
    ConnectionClosedException closed =
        new ConnectionClosedException(name + " " + pendingWhy, cause);
    account.stopWaiting();
    // a listener's Error must not strand the rest: every request ends, then it is thrown on
    Throwable thrown = null;
    for (PendingRequest request : pending.clear(name + " is " + state.name().toLowerCase())) {
      try {
        request.fail(closed, Outcome.ERROR);
      } catch (Throwable t) {
        thrown = first(thrown, t);
      }
    }
    for (InboundRequest r : inbound.end()) {
      try {
        abandoned(r);
      } catch (Throwable t) {
        thrown = first(thrown, t);
      }
    }
    for (InboundRequest r : inbound.endLater()) {
      try {
        r.endWithConnection();
      } catch (Throwable t) {
        thrown = first(thrown, t);
      }
    }
    if (openedMillis != 0) {
      config.eventLoops.connectionClosed();
      try {
        listener.connectionClosed(this, Optional.ofNullable(cause));
      } catch (Throwable t) {
        thrown = first(thrown, t);
      }
    }
    readerDone.countDown();
    terminated.complete(null);
    if (thrown instanceof Error e) {
      throw e;
    }
    if (thrown instanceof RuntimeException e) {
      throw e;
    }
  }

  private static Throwable first(Throwable first, Throwable next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }

  private static void cancel(EventLoop.Timer timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  // ---------------------------------------------------------------- timeouts

  /** Checks the idle and read timeouts now and then, when either is set. */
  private void watch() {
    long idle = config.idleTimeout.toNanos();
    long read = config.readTimeout.toNanos();
    long every = Math.min(idle == 0 ? Long.MAX_VALUE : idle, read == 0 ? Long.MAX_VALUE : read);
    boolean shrinks = io.nonBlocking(); // the reader is the loop's: it may be shrunk from here
    if ((every == Long.MAX_VALUE && !shrinks) || state.isTerminal()) {
      return;
    }
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(every / 4, QUIET_NANOS));
    watchTimer =
        loop.schedule(
            () -> {
              if (state.isTerminal()) {
                return;
              }
              if (shrinks && System.nanoTime() - lastReceivedNanos > QUIET_NANOS) {
                reader.shrink(); // a quiet connection keeps no read buffer
              }
              if (timedOut(read, idle, false)) {
                // the loop runs its timers before it reads: after a stall of the loop (a GC pause,
                // a busy
                // machine) the peer's bytes may be waiting unread. Decide once the loop has read
                // them.
                loop.execute(
                    () -> {
                      if (!state.isTerminal() && !timedOut(read, idle, true)) {
                        watch();
                      }
                    });
                return;
              }
              watch();
            },
            period);
  }

  /**
   * Whether the read or the idle timeout has run out; with {@code act}, fails or closes the
   * connection if so.
   */
  private boolean timedOut(long read, long idle, boolean act) {
    long now = System.nanoTime();
    long quiet = now - lastReceivedNanos;
    boolean midFrame = partialFrame;
    long held = io.heldInputNanos();
    if (held != Long.MIN_VALUE) {
      // part of a TLS record: bytes the transport read and has not yet made a frame of
      midFrame = true;
      quiet = Math.min(quiet, now - held);
    }
    // a peer is stalled only while this end reads it: time spent paused by our own limits is ours
    if (read != 0 && midFrame && quiet > read && !inputEnded && paused == 0) {
      if (act) {
        String why =
            "read timed out: a frame begun "
                + TimeUnit.NANOSECONDS.toMillis(quiet)
                + " ms ago is still incomplete (readTimeout="
                + config.readTimeout
                + ")";
        PeerFaultLog.READ_TIMEOUT.ended(name, why);
        terminate(new java.net.SocketTimeoutException(why), why);
      }
      return true;
    }
    // a peer that trickles its frame evades the rule above; while its reader is the group's one
    // that reads on with the budget spent, the others' large frames wait for it, so its frame must
    // end within the read timeout of the first of them waiting
    long contended = account.overdrawnWhileOthersWait(now);
    if (read != 0 && contended > read && !inputEnded && paused == 0) {
      if (act) {
        String why =
            "read timed out: a frame begun before the inbound budget was spent is still incomplete"
                + " after "
                + TimeUnit.NANOSECONDS.toMillis(contended)
                + " ms of other connections waiting for it (readTimeout="
                + config.readTimeout
                + ", maxBufferedInboundBytes="
                + account.budgetLimit()
                + ")";
        PeerFaultLog.READ_TIMEOUT.ended(name, why);
        terminate(new java.net.SocketTimeoutException(why), why);
      }
      return true;
    }
    // probes and their answers do not count: they would keep every probing connection busy
    long idleFor = Math.min(now - lastUserReceivedNanos, now - lastUserSentNanos);
    if (idle != 0
        && idleFor > idle
        && state == ConnectionState.OPEN
        && pending.isEmpty()
        && inbound.isIdle()) {
      if (act) {
        PeerFaultLog.IDLE.ended(
            name,
            "idle for "
                + TimeUnit.NANOSECONDS.toMillis(idleFor)
                + " ms (idleTimeout="
                + config.idleTimeout
                + "): closing");
        synchronized (life) {
          opens = Math.min(opens, 1);
        }
        close();
      }
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- liveness probes (on the loop)

  /** Arms the probe timer for when the peer will have sent nothing for the probe interval. */
  private void scheduleProbe() {
    if (state != ConnectionState.OPEN) {
      return;
    }
    long quiet = System.nanoTime() - lastReceivedNanos;
    probeTimer = loop.schedule(this::probeDue, config.probeInterval.toNanos() - quiet);
  }

  /** The probe timer ran out: probe the peer if it has been silent for the whole interval. */
  private void probeDue() {
    if (state != ConnectionState.OPEN) {
      return;
    }
    long interval = config.probeInterval.toNanos();
    long now = System.nanoTime();
    if (paused != 0) {
      // our own limits stopped reading: the peer's silence is ours
      probeTimer = loop.schedule(this::probeDue, interval);
      return;
    }
    if (now - lastReceivedNanos < interval) {
      scheduleProbe();
      return;
    }
    long tag = pending.nextTag(0);
    PendingRequest probe = new PendingRequest(this, 0, tag, PROBE_TYPE, now, true);
    int queued;
    try {
      queued = pending.add(probe, new Packet(0, tag, 0, true, PROBE_TYPE, PROBE_PAYLOAD), outbound);
    } catch (ConnectionClosedException e) {
      return; // closing: the close timeout bounds what is left
    } catch (RejectedExecutionException e) {
      probeTimer = loop.schedule(this::probeDue, interval); // the pending table is full
      return;
    }
    if (queued == Outbound.CLAIMED) {
      outbound.drain();
    }
    probeTimer = loop.schedule(() -> probeDeadline(probe, now), config.probeTimeout.toNanos());
    // any answer, ok or not, proves the peer alive; the next probe counts from it
    probe.whenComplete(
        (answer, error) -> {
          if (error == null) {
            loop.execute(this::probeAnswered);
          }
        });
  }

  private void probeAnswered() {
    cancel(probeTimer);
    scheduleProbe();
  }

  /**
   * The probe timeout ran out. The loop runs its timers before it reads: after a stall of the loop
   * the peer's answer may be waiting unread, so decide once the loop has read it.
   */
  private void probeDeadline(PendingRequest probe, long sentNanos) {
    if (!probe.isDone() && !state.isTerminal()) {
      loop.execute(() -> probeExpired(probe, sentNanos));
    }
  }

  private void probeExpired(PendingRequest probe, long sentNanos) {
    if (probe.isDone() || state.isTerminal()) {
      return;
    }
    if (lastReceivedNanos - sentNanos > 0 || paused != 0 || state != ConnectionState.OPEN) {
      // the peer spoke since (the answer may lie behind what it sends), or this end stopped
      // reading it, or is closing under its own timeout: no verdict on the peer
      probe.cancel(false);
      scheduleProbe();
      return;
    }
    long silent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReceivedNanos);
    String why =
        "probe timed out: no answer to a liveness probe within probeTimeout="
            + config.probeTimeout
            + " (nothing received for "
            + silent
            + " ms)";
    PeerFaultLog.PROBE_TIMEOUT.ended(name, why);
    terminate(new java.net.SocketTimeoutException(why), why);
  }

  // ---------------------------------------------------------------- settings

  /**
   * Collects a connection's settings; every limit has a safe default. A builder can open any number
   * of connections and is not thread-safe; {@link #copy()} one to vary it.
   */
  public static final class Builder {

    /** Default for {@link #maxConcurrentRequests}. */
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 64;

    /** Default for {@link #maxQueuedRequests}. */
    public static final int DEFAULT_MAX_QUEUED_REQUESTS = 4096;

    /** Default for {@link #maxPendingRequests}. */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 65536;

    /** Default for {@link #maxQueuedAnswerBytes}: 16 MiB. */
    public static final long DEFAULT_MAX_QUEUED_ANSWER_BYTES = 16L * 1024 * 1024;

    /** Default for {@link #maxQueuedRequestBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_QUEUED_REQUEST_BYTES = 64L * 1024 * 1024;

    /** Default for {@link #closeTimeout}. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /** Default for {@link #bufferSize}. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    /** Default for {@link #readTimeout}. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** Default for {@link #handshakeTimeout}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Default for {@link #probeTimeout}. */
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(10);

    private final ConnectionConfig c;

    Builder() {
      this(new ConnectionConfig());
    }

    private Builder(ConnectionConfig config) {
      this.c = config;
    }

    /** A builder with the same settings, to vary independently. */
    public Builder copy() {
      return new Builder(c.copy());
    }

    /** The connection's name in logs, metrics and health; default {@code packetstream-N}. */
    public Builder name(String name) {
      c.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Serves the peer's requests on channel 0. Without one, they are refused with the original's
     * {@code no request handler}.
     */
    public Builder handler(RequestHandler handler) {
      return handler(0, handler);
    }

    /**
     * Serves the peer's requests on {@code channel}. Requests on a channel without a handler are
     * refused with the original's {@code unknown channel %d}.
     */
    public Builder handler(long channel, RequestHandler handler) {
      if (channel < 0) {
        throw new IllegalArgumentException("negative channel " + channel);
      }
      c.handlers.put(channel, Objects.requireNonNull(handler, "handler"));
      if (channel == 0) {
        c.bufferHandler = null;
      }
      return this;
    }

    /**
     * Serves the peer's requests on channel 0 with a {@link BufferHandler}, on the reader thread
     * and without allocating per request, in place of a {@link RequestHandler}. When the connection
     * has a {@link TrafficListener} or a tick, which see every packet as an object, requests take
     * the regular path instead: a {@code RequestHandler} around this one, on the {@link #executor}.
     */
    public Builder bufferHandler(BufferHandler handler) {
      c.bufferHandler = Objects.requireNonNull(handler, "handler");
      c.handlers.remove(0L);
      return this;
    }

    /**
     * Where handlers run. Default: a virtual thread per request on Java 21+, on 17 {@link
     * PacketConnection#platformHandlerExecutor()}. An executor that refuses a request (full or shut
     * down) only delays it: it waits in the connection's queue and is tried again. A direct
     * executor ({@code Runnable::run}) runs handlers on the thread that read the request, an event
     * loop's over sockets: fastest for handlers that never block, but one that blocks stalls every
     * connection of that loop.
     */
    public Builder executor(Executor executor) {
      c.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The event loops that serve connections over socket channels and pipes. Default: {@link
     * EventLoopGroup#shared()}, as many I/O threads as the JVM has processors, shared by every
     * connection of the JVM; a connection holds no thread of its own.
     */
    public Builder eventLoops(EventLoopGroup group) {
      c.eventLoops = Objects.requireNonNull(group, "group");
      return this;
    }

    /**
     * How long a connection may carry no bytes either way, with nothing pending or running, before
     * it closes itself gracefully; {@link Duration#ZERO} (default) = never. A silent peer is not a
     * broken one in this protocol (a watcher waits quietly for callbacks), so this is off unless
     * asked for; servers facing untrusted peers should set it.
     */
    public Builder idleTimeout(Duration timeout) {
      c.idleTimeout = nonNegative("idleTimeout", timeout);
      return this;
    }

    /**
     * How long the peer may pause in the middle of a frame before the connection fails: a frame
     * whose first bytes came but whose rest stops arriving for this long; default 30 s, {@link
     * Duration#ZERO} = never. It frees the connection (and the bytes it holds) of a peer that
     * stalls or vanished mid-frame.
     */
    public Builder readTimeout(Duration timeout) {
      c.readTimeout = nonNegative("readTimeout", timeout);
      return this;
    }

    /**
     * How long the peer may send nothing before this end asks it whether it is still there; {@link
     * Duration#ZERO} (default) = never. The question, a liveness probe, is a request of type {@link
     * PacketConnection#PROBE_TYPE} on channel 0 with an empty payload. Any answer proves the peer
     * alive, ok or not: a Java peer answers ok by itself, a Python {@code cs.packetstream} peer
     * refuses the unknown type (not ok), which counts. If nothing at all arrives within {@link
     * #probeTimeout} of sending it, the connection {@linkplain ConnectionState#FAILED fails} and
     * its pending requests end with a {@link ConnectionClosedException} that names the probe
     * timeout. This notices a peer that vanished without a word (its host gone, a NAT that forgot
     * the connection) or hung, where TCP keepalive takes hours. A busy connection sends no probes;
     * probes and their answers do not keep a connection from its {@link #idleTimeout}, nor reach
     * handlers or the {@link TrafficListener}'s request events (its packet events see them).
     */
    public Builder probeInterval(Duration interval) {
      c.probeInterval = nonNegative("probeInterval", interval);
      return this;
    }

    /**
     * How long a liveness probe ({@link #probeInterval}) waits for its answer, or anything else
     * from the peer, before the connection fails; default 10 s. A Python peer runs only 4 handlers
     * at once and answers a probe after them: give it longer than its handlers may hold all four.
     */
    public Builder probeTimeout(Duration timeout) {
      if (nonNegative("probeTimeout", timeout).isZero()) {
        throw new IllegalArgumentException(
            "probeTimeout must be positive; turn probes off with"
                + " probeInterval(Duration.ZERO)");
      }
      c.probeTimeout = capped(timeout);
      return this;
    }

    /**
     * How long the TLS handshake of a connection opened with {@link #open(SocketChannel, SSLEngine,
     * boolean)} may take before the connection fails with an {@link
     * javax.net.ssl.SSLHandshakeException}; default 10 s, {@link Duration#ZERO} = never. It frees
     * the slot of a peer that connects and then says nothing.
     */
    public Builder handshakeTimeout(Duration timeout) {
      c.handshakeTimeout = nonNegative("handshakeTimeout", timeout);
      return this;
    }

    /**
     * The longest frame body this end sends; default 16 MiB, the peer's default limit. A request
     * over it is refused by {@code submit} with an {@link IllegalArgumentException} before anything
     * is sent, and an answer over it is replaced by a not-ok {@code answer too large}, so that one
     * oversized packet never makes the peer drop the connection.
     */
    public Builder maxOutboundFrameLength(int bytes) {
      c.maxOutboundFrameLength = PacketCodec.checkMaxFrameLength(bytes);
      return this;
    }

    /**
     * Makes the reader and writer threads of connections over streams and sockets opened as {@link
     * Socket}s (plain or TLS); connections over socket channels and pipes use the {@link
     * #eventLoops} instead. Default: daemon platform threads, which wake fastest.
     */
    public Builder ioThreadFactory(ThreadFactory threads) {
      c.ioThreads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    /**
     * The longest frame body accepted from the peer; default 16 MiB, at most {@link
     * PacketCodec#LARGEST_MAX_FRAME_LENGTH}.
     */
    public Builder maxFrameLength(int bytes) {
      c.maxFrameLength = PacketCodec.checkMaxFrameLength(bytes);
      return this;
    }

    /**
     * How many of the peer's requests run at once; default 64. A request whose handler returned
     * {@link Reply#later} gives its slot on while it awaits its answer, up to {@link
     * #maxQueuedRequests} such requests; past that, one keeps its slot.
     */
    public Builder maxConcurrentRequests(int n) {
      c.maxConcurrentRequests = positive("maxConcurrentRequests", n);
      return this;
    }

    /**
     * How many of the peer's requests may wait for a slot, default 4096; beyond that a request is
     * refused at once with a not-ok response naming the limits. Also how many requests whose
     * handlers returned {@link Reply#later} await their answers without a slot.
     */
    public Builder maxQueuedRequests(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxQueuedRequests " + n + " is negative");
      }
      c.maxQueuedRequests = n;
      return this;
    }

    /**
     * How many bytes of payload the peer's requests waiting for a slot may hold together; default
     * 64 MiB. {@link #maxQueuedRequests} alone would let 4096 frames of 16 MiB wait. Beyond it a
     * request is refused at once with a not-ok {@code too many requests: ...} naming the limit;
     * running requests do not count.
     */
    public Builder maxQueuedRequestBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxQueuedRequestBytes " + bytes + " is negative");
      }
      c.maxQueuedRequestBytes = bytes;
      return this;
    }

    /** How many of this end's requests may await answers at once; default 65536. */
    public Builder maxPendingRequests(int n) {
      c.maxPendingRequests = positive("maxPendingRequests", n);
      return this;
    }

    /**
     * How many bytes of answers to the peer may wait to be written before this end holds back the
     * peer's new requests; default 16 MiB, one largest frame at the default {@link
     * #maxFrameLength}. Held requests wait in the queue ({@link #maxQueuedRequests}) and start when
     * the peer has read enough; this end keeps reading meanwhile, so the answers to its own
     * requests still come in and two busy peers never wait for each other. Only when the answers
     * pass the limit by a quarter more (at least 64 KiB: refusals of a flood) does it stop reading
     * the peer, so a peer that floods requests and never reads is held back by TCP instead of
     * growing this end's memory.
     */
    public Builder maxQueuedAnswerBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxQueuedAnswerBytes " + bytes + " is below 1");
      }
      c.maxQueuedAnswerBytes = bytes;
      return this;
    }

    /**
     * How long this end's requests wait for an answer; {@link Duration#ZERO} (default) = no limit.
     */
    public Builder requestTimeout(Duration timeout) {
      c.requestTimeout = nonNegative("requestTimeout", timeout);
      return this;
    }

    /** How long a graceful close may take before the connection is ended anyway; default 10 s. */
    public Builder closeTimeout(Duration timeout) {
      c.closeTimeout = nonNegative("closeTimeout", timeout);
      return this;
    }

    /**
     * How long the writer waits for more packets before it flushes what it has. Default {@link
     * Duration#ZERO}: write as soon as the queue is empty, which still puts everything queued
     * meanwhile into one write. The original's 10 ms costs about 20 ms a round trip.
     */
    public Builder packetGrace(Duration grace) {
      c.packetGrace = nonNegative("packetGrace", grace);
      return this;
    }

    /**
     * Whether closing sends ERQ before EOF (default true, as release 20240630 does). Turn it off
     * for peers of release 20240412, which stop reading when they see it.
     */
    public Builder sendErq(boolean sendErq) {
      c.sendErq = sendErq;
      return this;
    }

    /** Adds a listener for the connection's traffic and requests. */
    public Builder listener(TrafficListener listener) {
      c.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Gives {@code tick} a short label for every packet sent ({@code >Q}, {@code >A}, {@code >EOF},
     * ...) or received ({@code <Q}, ...): the original's activity ticker.
     */
    public Builder tick(Consumer<String> tick) {
      return listener(new ActivityTicker(Objects.requireNonNull(tick, "tick")));
    }

    /**
     * The size of a stream connection's read buffer and of a {@link BufferHandler}'s answer buffer,
     * and how much of a partial frame a connection may hold before it counts against its event loop
     * group's {@linkplain EventLoopGroup#maxBufferedInboundBytes budget}; default 64 KiB. Larger
     * frames still pass.
     */
    public Builder bufferSize(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("bufferSize " + bytes + " is below 64");
      }
      c.bufferSize = bytes;
      return this;
    }

    /**
     * How long the event loop serving a busy connection keeps polling its quiet channels before it
     * goes to sleep; default {@link Duration#ZERO}, never; at most one second; some tens of
     * microseconds (50 µs, say) suit a busy request/response connection. Polling lets the answer to
     * a request, or a busy peer's next request, be read without waking a sleeping thread, which
     * makes round trips several times faster on a machine with cores to spare. It costs CPU time,
     * so a loop polls only while it is busy (its last poll caught bytes, or its last sleep was
     * shorter than a millisecond or than the spin), and at most half the cores' worth of loops in
     * the JVM poll at once: a quiet loop sleeps as if there were no spin; the largest spin asked by
     * a loop's connections holds for all of them. Where other busy threads want the cores, a
     * polling reader holds one and slows them, which is why it is off by default. For connections
     * over channels ({@link #open(SocketChannel, boolean)} and {@link #open(ReadableByteChannel,
     * WritableByteChannel)}); streams always block.
     */
    public Builder readSpin(Duration spin) {
      if (nonNegative("readSpin", spin).compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("readSpin " + spin + " is above 1 s");
      }
      c.readSpin = spin;
      return this;
    }

    /**
     * Opens a connection over a stream pair, read by a thread of its own (from {@link
     * #ioThreadFactory}) and written by another. The streams stay the caller's: the connection
     * never closes them, and so cannot interrupt its reader blocked in {@code in.read}: after
     * {@link PacketConnection#abort()} (or a close that times out) the caller closes {@code in} to
     * release it.
     */
    public PacketConnection open(InputStream in, OutputStream out) {
      ConnectionConfig frozen = c.freeze();
      return open(
          frozen,
          StreamIo.of(
              Objects.requireNonNull(in, "in"),
              Objects.requireNonNull(out, "out"),
              null,
              null,
              frozen.bufferSize));
    }

    /**
     * Opens a connection over a connected socket (plain or TLS), read and written by threads of its
     * own, as a stream pair. With {@code owned} the connection closes the socket when it ends;
     * otherwise that is left to the caller, who must also close it to release a reader blocked on
     * it after an abort. The connection turns on {@code TCP_NODELAY}, and {@code SO_KEEPALIVE} so
     * that a peer that vanished without a word (a half-open connection) is noticed in the end even
     * with no traffic.
     */
    public PacketConnection open(Socket socket, boolean owned) throws IOException {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      ConnectionConfig frozen = c.freeze();
      StreamIo io =
          StreamIo.of(
              socket.getInputStream(),
              socket.getOutputStream(),
              owned ? socket : null,
              socket.getRemoteSocketAddress(),
              frozen.bufferSize);
      return open(frozen, socket instanceof javax.net.ssl.SSLSocket tls ? io.over(tls) : io);
    }

    /**
     * Opens a connection over a connected socket channel, TCP or Unix domain: the fastest
     * transport, served by an event loop of {@link #eventLoops}, with no thread of its own. The
     * connection puts the channel in non-blocking mode and uses it alone from then on. With {@code
     * owned} the connection closes the channel when it ends. On TCP it turns on {@code TCP_NODELAY}
     * and {@code SO_KEEPALIVE}, so that a half-open peer is noticed in the end.
     */
    public PacketConnection open(SocketChannel channel, boolean owned) throws IOException {
      SocketAddress remote = channel.getRemoteAddress();
      if (remote instanceof java.net.InetSocketAddress) {
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
      }
      ConnectionConfig frozen = c.freeze();
      EventLoop loop = frozen.eventLoops.next();
      return open(
          frozen, loop, new ChannelIo(channel, channel, owned ? channel : null, remote, loop));
    }

    /**
     * Opens a TLS connection over a connected socket channel, served by an event loop of {@link
     * #eventLoops} like {@link #open(SocketChannel, boolean)}, with no thread of its own: the loop
     * runs {@code engine}'s handshake without blocking (bounded by {@link #handshakeTimeout}), then
     * wraps and unwraps the connection's bytes. The engine must be configured by the caller: client
     * or server mode, and on a client host name checking ({@code
     * SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}) where wanted. Requests submitted
     * meanwhile go out once the handshake has finished; a failed handshake fails the connection.
     * With {@code owned} the connection closes the channel when it ends, after a best-effort {@code
     * close_notify}.
     */
    public PacketConnection open(SocketChannel channel, SSLEngine engine, boolean owned)
        throws IOException {
      Objects.requireNonNull(engine, "engine");
      SocketAddress remote = channel.getRemoteAddress();
      if (remote instanceof java.net.InetSocketAddress) {
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
      }
      ConnectionConfig frozen = c.freeze();
      EventLoop loop = frozen.eventLoops.next();
      return open(
          frozen,
          loop,
          new TlsChannelIo(
              channel, engine, owned, remote, loop, frozen.handshakeTimeout.toNanos()));
    }

    /**
     * Opens a connection over a pair of channels, such as the ends of two {@link
     * java.nio.channels.Pipe}s. The channels stay the caller's. Selectable ones are served by an
     * event loop, put in non-blocking mode, and must not be used by anyone else while the
     * connection lives; others get a reader and a writer thread, as streams do.
     */
    public PacketConnection open(ReadableByteChannel in, WritableByteChannel out)
        throws IOException {
      Objects.requireNonNull(in, "in");
      Objects.requireNonNull(out, "out");
      ConnectionConfig frozen = c.freeze();
      if (ChannelIo.selectable(in, out)) {
        EventLoop loop = frozen.eventLoops.next();
        return open(frozen, loop, new ChannelIo(in, out, null, null, loop));
      }
      return open(frozen, StreamIo.of(in, out, frozen.bufferSize));
    }

    private static PacketConnection open(ConnectionConfig frozen, Io io) {
      return open(frozen, frozen.eventLoops.next(), io);
    }

    private static PacketConnection open(ConnectionConfig frozen, EventLoop loop, Io io) {
      PacketConnection connection = new PacketConnection(frozen, loop, io).open();
      if (!io.nonBlocking()) {
        loop.attach(connection); // it takes its timers from the loop: it ends with the loop
      }
      return connection;
    }

    private static int positive(String what, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(what + " " + n + " is below 1");
      }
      return n;
    }

    private static Duration nonNegative(String what, Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " " + d + " is negative");
      }
      return capped(d);
    }
  }
}
