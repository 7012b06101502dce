package io.packetstream.connection;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.ProtocolException;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One end of a packetstream connection over a byte stream: a requester and a responder at once.
 *
 * <p>This end {@linkplain #submit submits} requests and gets a future of each {@link Response};
 * the peer's requests go to the {@link RequestHandler} of their channel. Responses may come back
 * in any order, and a slow handler never holds up the others.
 *
 * <pre>{@code
 * try (PacketConnection conn = PacketConnection.builder()
 *     .handler(request -> Response.ok(request.payload()))   // serve the peer's requests
 *     .open(socket)) {
 *   Response r = conn.call(0, 0, "hello".getBytes(UTF_8)); // and ask the peer
 * }
 * }</pre>
 *
 * <p>Opening is nested, as in the original: the first {@link #open()} (or the builder's
 * {@code open}) starts the connection, every further one must be matched by a {@link #close()},
 * and the last close shuts down gracefully: new requests from the peer are refused, running
 * handlers finish and their responses go out, this end's own requests get their answers, then ERQ
 * (when enabled) and EOF are sent, all within {@link Builder#closeTimeout}. {@link #abort()} ends
 * at once. When the peer ends the stream, the connection ends its own side the same way by itself.
 *
 * <p>Every request this end submits ends: with its response, a timeout when one is set, or a
 * {@link ConnectionClosedException} when the connection ends first. Every request from the peer
 * gets exactly one answer while the connection lives.
 */
public final class PacketConnection implements AutoCloseable {

  /*
   * Threads and locks.
   *
   * - The reader thread alone reads the transport. It decodes packets, resolves this end's pending
   *   requests, and admits the peer's requests to the handler executor.
   * - The writer thread alone writes the transport (PacketWriter). Everyone else enqueues packets.
   * - Handler threads (the executor) run handlers and enqueue their responses.
   * - Callers submit, open, close and abort from any thread. A last close on the reader thread or
   *   inside a handler runs the shutdown on a closer thread (from ioThreadFactory), because the
   *   shutdown waits for the reader and for running handlers.
   * - Back-pressure: while the answers queued for the peer are over maxQueuedAnswerBytes, the
   *   reader waits on the writer's monitor (holding no lock of ours) until the writer has written
   *   enough or stops; the writer never waits for the reader, so this cannot deadlock.
   *
   * `outbound` guards `pending`, `opens`, `readerEnded` and every write of `state`.
   * `inbound` guards `running`, `queued`, `queuedBytes` and `inboundTags`, and is also held for writes of `state`,
   * so both the admission of a peer's request and the submission of our own see state changes
   * atomically. Lock order: outbound, then inbound, then the writer's monitor: submit queues its
   * request and shutdown its ERQ under outbound, so no request follows our ERQ; the writer's
   * enqueue holds its monitor for an add and never blocks. Nothing else is called out (handlers,
   * listeners, futures, the writer's thread) while either is held, and nothing blocks under them
   * except the bounded waits of shutdown, which wait on the lock's own monitor.
   */

  private static final System.Logger LOG = System.getLogger(PacketConnection.class.getName());
  private static final AtomicLong NAMES = new AtomicLong();

  /** Tags on every channel start here: 0 and 1 of channel 0 are the control packets. */
  static final long FIRST_TAG = 2;

  /** How long a close past its deadline still waits for its EOF to be written. */
  private static final long EOF_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);

  static final String REFUSE_NO_HANDLER = "no request handler";
  static final String REFUSE_CLOSING = "rejecting request: runstate.cancelled";
  static final String REFUSE_AFTER_ERQ = "requests no longer allowed";
  static final String REFUSE_UNKNOWN_CHANNEL = "unknown channel %d";

  private final String name;
  private final Settings settings;
  private final Transport transport;
  private final PacketCodec codec;
  private final TrafficListener listener;
  private final PacketWriter writer;
  private final RequestHandler handler0;
  private final DirectAnswers direct; // null unless a BufferHandler answers on the reader thread

  private final Object outbound = new Object();
  private final Object inbound = new Object();
  private final TagMap<PendingRequest> pending = new TagMap<>();
  private final TagMap<InboundRequest> inboundTags = new TagMap<>();
  private final ArrayDeque<InboundRequest> queued = new ArrayDeque<>();
  private long queuedBytes; // the payloads of the requests in `queued`
  private int running;
  private int opens;
  private boolean readerEnded;

  private final AtomicLong tags0 = new AtomicLong(FIRST_TAG);
  private final Map<Long, AtomicLong> otherTags = new ConcurrentHashMap<>();

  private volatile ConnectionState state = ConnectionState.NEW;
  private volatile Throwable failure;
  private volatile boolean peerEndedRequests;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final CountDownLatch readerDone = new CountDownLatch(1);
  private volatile Thread readerThread;

  // single-writer statistics: the reader thread writes the received ones, the writer the sent ones
  private volatile long bytesReceived;
  private volatile long packetsReceived;
  private volatile long lastReceivedMillis;
  private volatile long bytesSent;
  private volatile long packetsSent;
  private volatile long lastSentMillis;
  private volatile long openedMillis;

  private PacketConnection(Settings settings, Transport transport) {
    this.settings = settings;
    this.transport = transport;
    this.name = settings.name != null ? settings.name : "packetstream-" + NAMES.incrementAndGet();
    this.codec = new PacketCodec(settings.maxFrameLength);
    this.listener = settings.listener();
    this.handler0 = settings.handlers.get(0L);
    this.writer = new PacketWriter(this, transport, settings.packetGrace.toNanos(), settings.bufferSize,
        settings.maxQueuedAnswerBytes);
    this.direct = settings.bufferHandler != null && listener == TrafficListener.NONE
        ? new DirectAnswers(this, settings.bufferHandler, codec, writer, settings.bufferSize)
        : null;
  }

  /** A builder with the library's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- requester

  /** Sends a request on channel 0; the future completes with the peer's response, ok or not. */
  public CompletableFuture<Response> submit(long rqType, long flags, byte[] payload) {
    return submit(0, rqType, flags, payload, Duration.ZERO);
  }

  /**
   * Sends a request on {@code channel}; the future completes with the peer's response, ok or not.
   *
   * <p>The future fails with a {@link TimeoutException} if no response comes within
   * {@code timeout} ({@link Duration#ZERO}: the connection's {@link Builder#requestTimeout}), with
   * a {@link ConnectionClosedException} if the connection is not open or ends first, and with a
   * {@link RejectedExecutionException} if {@link Builder#maxPendingRequests} are already pending.
   * It completes on the connection's reader thread: use the {@code ...Async} stages for work that
   * blocks.
   */
  public CompletableFuture<Response> submit(
      long channel, long rqType, long flags, byte[] payload, Duration timeout) {
    Objects.requireNonNull(payload, "payload");
    if (channel < 0 || rqType < 0 || rqType > Packet.MAX_RQ_TYPE || flags < 0 || flags > Packet.MAX_FLAGS) {
      throw new IllegalArgumentException("channel " + channel + ", request type " + rqType
          + " or flags " + flags + " out of range");
    }
    long tag = channel == 0
        ? tags0.getAndIncrement()
        : otherTags.computeIfAbsent(channel, c -> new AtomicLong(FIRST_TAG)).getAndIncrement();
    PendingRequest request = new PendingRequest(this, channel, tag, rqType, System.nanoTime());
    Packet packet = new Packet(channel, tag, flags, true, rqType, payload);
    // before the request can be answered: a listener sees its start before its end
    listener.requestStarted(this, Direction.OUTBOUND, channel, tag, rqType);
    Exception refused = null;
    synchronized (outbound) {
      if (state != ConnectionState.OPEN || readerEnded) {
        refused = new ConnectionClosedException(
            name + " is " + (readerEnded ? "ended by its peer" : state.name().toLowerCase())
                + ": cannot send request type " + rqType);
      } else if (pending.size() >= settings.maxPendingRequests) {
        refused = new RejectedExecutionException(name + ": " + pending.size()
            + " requests already pending (limit maxPendingRequests=" + settings.maxPendingRequests + ")");
      } else {
        pending.put(channel, tag, request);
        // under the lock, so that it is queued before shutdown's ERQ or not at all
        writer.enqueue(packet);
      }
    }
    if (refused != null) {
      request.fail(refused, Outcome.REJECTED);
      return request;
    }
    Duration limit = timeout.isZero() ? settings.requestTimeout : timeout;
    if (!limit.isZero() && !limit.isNegative()) {
      request.orTimeout(limit.toNanos(), TimeUnit.NANOSECONDS);
    }
    return request;
  }

  /**
   * Sends a request on channel 0 and decodes its ok response with {@code decoder}. A not-ok
   * response fails the future with a {@link RequestFailedException}; cancelling the future
   * cancels the request.
   */
  public <T> CompletableFuture<T> submit(
      long rqType, long flags, byte[] payload, ResponseDecoder<T> decoder) {
    Objects.requireNonNull(decoder, "decoder");
    CompletableFuture<Response> request = submit(rqType, flags, payload);
    CompletableFuture<T> result = new CompletableFuture<>();
    request.whenComplete((response, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else if (!response.ok()) {
        result.completeExceptionally(new RequestFailedException(response));
      } else {
        try {
          result.complete(decoder.decode(response.flags(), response.payload()));
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      }
    });
    result.whenComplete((value, error) -> {
      if (result.isCancelled()) {
        request.cancel(false);
      }
    });
    return result;
  }

  /**
   * Sends a request on channel 0 and waits for its response: without a
   * {@link Builder#requestTimeout}, until it comes or the connection ends.
   */
  public Response call(long rqType, long flags, byte[] payload)
      throws IOException, InterruptedException, TimeoutException {
    return call(0, rqType, flags, payload, Duration.ZERO);
  }

  /**
   * Sends a request and waits for its response, at most {@code timeout} ({@link Duration#ZERO}:
   * the connection's {@link Builder#requestTimeout}). With neither set it waits until the answer
   * comes or the connection ends, however long that takes: pass a timeout when the peer may
   * never answer.
   *
   * @throws ConnectionClosedException if the connection is not open or ends first
   * @throws TimeoutException if no response comes in time
   * @throws InterruptedException if the thread is interrupted while waiting; the request is
   *     cancelled and the thread's interrupt flag stays set
   */
  public Response call(long channel, long rqType, long flags, byte[] payload, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    CompletableFuture<Response> request = submit(channel, rqType, flags, payload, timeout);
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
      throw new IOException(name + ": request failed", cause);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Opens the connection once more: the first open starts it; each open needs its own
   * {@link #close()}. Returns this connection.
   *
   * @throws IllegalStateException if the connection is closing or has ended
   */
  public PacketConnection open() {
    boolean start;
    synchronized (outbound) {
      synchronized (inbound) {
        if (state != ConnectionState.NEW && state != ConnectionState.OPEN) {
          throw new IllegalStateException(name + " is " + state.name().toLowerCase());
        }
        start = opens++ == 0;
        if (start) {
          state = ConnectionState.OPEN;
        }
      }
    }
    if (start) {
      openedMillis = System.currentTimeMillis();
      listener.connectionOpened(this);
      ThreadFactory threads = settings.ioThreads;
      Thread w = threads.newThread(writer);
      Thread r = threads.newThread(this::readLoop);
      w.setName("packetstream " + name + " writer");
      r.setName("packetstream " + name + " reader");
      readerThread = r;
      writer.readerThread(r);
      w.start();
      r.start();
    }
    return this;
  }

  /**
   * Closes one level of nesting; the last close shuts the connection down gracefully and
   * returns when it has ended, or after {@link Builder#closeTimeout} at most.
   *
   * <p>Called from the connection's own reader thread (a callback of a future it completed, a
   * {@link BufferHandler}, a handler on a direct executor) or from inside one of its running
   * handlers, the last close starts the shutdown on another thread and returns at once: the
   * shutdown waits for answers only the reader can read and for handlers to finish, so waiting
   * for it there would wait for itself. Use {@link #termination()} to learn when it has ended.
   */
  @Override
  public void close() {
    boolean last;
    synchronized (outbound) {
      if (opens == 0) {
        return;
      }
      last = --opens == 0;
    }
    if (!last) {
      return;
    }
    if (Thread.currentThread() == readerThread || InboundRequest.runsOn(this)) {
      Thread closer = settings.ioThreads.newThread(() -> shutdown(false));
      closer.setName("packetstream " + name + " closer");
      closer.start();
    } else {
      shutdown(false);
    }
  }

  /**
   * Ends the connection at once: pending requests fail, running handlers' answers are dropped,
   * and the transport is closed if the connection owns it.
   *
   * <p>Over streams or channels it does not own, the connection cannot always release its
   * reader: a thread blocked reading a plain {@link InputStream} ignores interrupts. The caller
   * then closes the stream (or the socket under it) to end the reader.
   */
  public void abort() {
    terminate(null, "aborted");
    Thread reader = readerThread;
    if (reader != null && !transport.owned()) {
      reader.interrupt();
    }
  }

  /** Waits for the receiving side to end (the peer's EOF, the end of the stream, or an error). */
  public void join() throws InterruptedException {
    readerDone.await();
  }

  /** Waits up to {@code timeout} for the receiving side to end; true if it did. */
  public boolean join(Duration timeout) throws InterruptedException {
    return readerDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
    return transport.remoteAddress();
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

  /** Requests this end sent that await their answer. */
  public int pendingRequests() {
    synchronized (outbound) {
      return pending.size();
    }
  }

  /** The peer's requests whose handlers are running now. */
  public int runningRequests() {
    synchronized (inbound) {
      return running;
    }
  }

  /**
   * Bytes of answers to the peer queued for writing, each counted as its payload plus a small
   * fixed overhead. It stays near {@link Builder#maxQueuedAnswerBytes} at most: a high value
   * means the peer reads its answers slowly, or not at all.
   */
  public long queuedAnswerBytes() {
    return writer.queuedAnswerBytes();
  }

  /** The peer's requests waiting for a free handler slot. */
  public int queuedRequests() {
    synchronized (inbound) {
      return queued.size();
    }
  }

  /** Whether the peer has said (ERQ) that it sends no more requests. */
  public boolean peerEndedRequests() {
    return peerEndedRequests;
  }

  @Override
  public String toString() {
    return "PacketConnection[" + name + ", " + state.name().toLowerCase()
        + remoteAddress().map(a -> ", " + a).orElse("") + "]";
  }

  private static Optional<Instant> instant(long millis) {
    return millis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }

  // ---------------------------------------------------------------- reader

  private void readLoop() {
    ByteBuffer buffer = transport.allocate(settings.bufferSize);
    String ended = "stream ended";
    Throwable error = null;
    try {
      read:
      while (true) {
        int n = transport.read(buffer);
        if (n < 0) {
          if (buffer.position() > 0) {
            throw new ProtocolException("stream ends inside a frame, " + buffer.position()
                + " bytes into it");
          }
          break;
        }
        lastReceivedMillis = System.currentTimeMillis();
        bytesReceived += n;
        buffer.flip();
        long count = 0;
        Packet packet;
        int start = buffer.position();
        while (true) {
          if (direct != null && acceptsRequests() && direct.answer(buffer)) {
            count++;
            start = buffer.position();
            throttle();
            continue;
          }
          if ((packet = codec.decode(buffer)) == null) {
            break;
          }
          count++;
          int size = buffer.position() - start;
          start = buffer.position();
          listener.packetReceived(this, packet, size);
          if (!dispatch(packet)) {
            packetsReceived += count;
            ended = "peer sent EOF";
            break read;
          }
          throttle();
        }
        packetsReceived += count;
        writer.flushInline();
        int frame = codec.peekFrameLength(buffer);
        buffer = refill(buffer, frame);
      }
    } catch (Throwable t) {
      error = t;
    }
    // answers written into the writer's buffer by this thread go out before the end is handled
    writer.flushInline();
    readerEnded(ended, error);
  }

  /**
   * Stops reading while the answers queued for the peer are over {@link
   * Builder#maxQueuedAnswerBytes}: the peer's requests then wait in the socket, and TCP pushes
   * back on a peer that sends requests without reading the answers.
   */
  private void throttle() throws InterruptedException {
    if (writer.overLimit()) {
      writer.flushInline();
      writer.awaitRoom();
    }
  }

  /** Readies the buffer for the next read, growing it for a frame too big for it. */
  private ByteBuffer refill(ByteBuffer buffer, int frame) {
    if (frame > buffer.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocate(frame);
      bigger.put(buffer);
      return bigger;
    }
    if (buffer.capacity() > settings.bufferSize && buffer.remaining() <= settings.bufferSize
        && frame <= settings.bufferSize) {
      ByteBuffer smaller = transport.allocate(settings.bufferSize);
      smaller.put(buffer);
      return smaller;
    }
    buffer.compact();
    return buffer;
  }

  /** Acts on one packet; false when it was the peer's EOF. */
  private boolean dispatch(Packet packet) throws ProtocolException {
    if (!packet.request()) {
      PendingRequest request;
      synchronized (outbound) {
        request = pending.remove(packet.channel(), packet.tag());
        if (request != null && pending.isEmpty() && state == ConnectionState.DRAINING) {
          outbound.notifyAll();
        }
      }
      if (request == null) {
        LOG.log(Level.DEBUG, () -> name + ": dropping a response that matches no pending request: "
            + packet);
      } else {
        request.resolve(new Response(packet.ok(), packet.resultFlags(), packet.payload()));
      }
      return true;
    }
    if (packet.isControl()) {
      if (packet.isEof()) {
        return false;
      }
      if (packet.isErq()) {
        peerEndedRequests = true;
        return true;
      }
      throw new ProtocolException(
          "malformed control packet (wire request type 0 but not EOF or ERQ): " + packet);
    }
    admit(packet);
    return true;
  }

  private void admit(Packet packet) {
    long channel = packet.channel();
    long tag = packet.tag();
    long startNanos = System.nanoTime();
    listener.requestStarted(this, Direction.INBOUND, channel, tag, packet.rqType());
    RequestHandler handler = channel == 0 ? handler0 : settings.handlers.get(channel);
    String refusal = null;
    InboundRequest request = null;
    boolean start = false;
    if (handler == null) {
      refusal = channel == 0 ? REFUSE_NO_HANDLER : REFUSE_UNKNOWN_CHANNEL;
    } else {
      synchronized (inbound) {
        if (state != ConnectionState.OPEN) {
          refusal = REFUSE_CLOSING;
        } else if (peerEndedRequests) {
          refusal = REFUSE_AFTER_ERQ;
        } else if (inboundTags.containsKey(channel, tag)) {
          refusal = "channel " + channel + ": tag already in use: " + tag;
        } else if (running < settings.maxConcurrentRequests) {
          request = new InboundRequest(this, packet, handler, startNanos);
          inboundTags.put(channel, tag, request);
          running++;
          start = true;
        } else if (queued.size() >= settings.maxQueuedRequests) {
          refusal = "too many requests: " + running + " running, " + queued.size()
              + " queued (limits maxConcurrentRequests=" + settings.maxConcurrentRequests
              + ", maxQueuedRequests=" + settings.maxQueuedRequests + ")";
        } else if (queuedBytes + packet.payload().length > settings.maxQueuedRequestBytes) {
          refusal = "too many requests: " + running + " running, " + queued.size()
              + " queued holding " + queuedBytes + " bytes, this one " + packet.payload().length
              + " bytes (limit maxQueuedRequestBytes=" + settings.maxQueuedRequestBytes + ")";
        } else {
          request = new InboundRequest(this, packet, handler, startNanos);
          inboundTags.put(channel, tag, request);
          queued.add(request);
          queuedBytes += packet.payload().length;
        }
      }
    }
    if (refusal != null) {
      String why = refusal;
      LOG.log(Level.DEBUG, () -> name + ": refusing " + packet + ": " + why);
      writer.enqueue(Packet.response(channel, tag, false, 0, refusal.getBytes(StandardCharsets.US_ASCII)));
      listener.requestFinished(this, Direction.INBOUND, channel, tag, packet.rqType(),
          Outcome.REJECTED, System.nanoTime() - startNanos);
    } else if (start) {
      execute(request);
    }
  }

  // ---------------------------------------------------------------- handlers (any thread)

  void execute(InboundRequest request) {
    try {
      settings.executor.execute(request);
    } catch (RejectedExecutionException e) {
      InboundRequest next = request;
      // the executor is shut down or full: answer here, and the queued ones after it
      while (next != null) {
        respond(next, Response.failure("handler executor refused the request"));
        next = release(next);
      }
    }
  }

  Response failureResponse(InboundRequest request, Throwable error) {
    if (error instanceof RequestFailedException failed) {
      return failed.response();
    }
    LOG.log(Level.WARNING, () -> name + ": handler failed for " + request.packet, error);
    return Response.failure();
  }

  void respond(InboundRequest request, Response response) {
    Packet p = request.packet;
    boolean sent = writer.enqueue(
        Packet.response(p.channel(), p.tag(), response.ok(), response.flags(), response.payload()));
    Outcome outcome = !sent ? Outcome.ERROR : response.ok() ? Outcome.OK : Outcome.FAILED;
    listener.requestFinished(this, Direction.INBOUND, p.channel(), p.tag(), p.rqType(), outcome,
        System.nanoTime() - request.startNanos);
  }

  /** Frees the request's slot; returns the queued request that takes it over, if any. */
  InboundRequest release(InboundRequest request) {
    synchronized (inbound) {
      inboundTags.remove(request.packet.channel(), request.packet.tag());
      InboundRequest next = queued.poll();
      if (next != null) {
        queuedBytes -= next.packet.payload().length;
      } else {
        running--;
        if (running == 0 && state == ConnectionState.DRAINING) {
          inbound.notifyAll();
        }
      }
      return next;
    }
  }

  // ---------------------------------------------------------------- pending requests

  /** Takes a request out of the pending table; true if it was there. */
  boolean removePending(PendingRequest request) {
    synchronized (outbound) {
      PendingRequest found = pending.get(request.channel, request.tag);
      if (found != request) {
        return false;
      }
      pending.remove(request.channel, request.tag);
      if (pending.isEmpty() && state == ConnectionState.DRAINING) {
        outbound.notifyAll();
      }
      return true;
    }
  }

  void requestEnded(PendingRequest request, Outcome outcome) {
    listener.requestFinished(this, Direction.OUTBOUND, request.channel, request.tag,
        request.rqType, outcome, System.nanoTime() - request.startNanos);
  }

  // ---------------------------------------------------------------- writer callbacks

  void sent(Packet packet, int bytes) {
    bytesSent += bytes;
    packetsSent++;
    listener.packetSent(this, packet, bytes);
  }

  /** A response the reader thread encoded itself, with no packet object (no listener to tell). */
  void sentDirect(int bytes) {
    bytesSent += bytes;
    packetsSent++;
  }

  /** Whether a new request of the peer may start now; if not, admit refuses it. */
  private boolean acceptsRequests() {
    return state == ConnectionState.OPEN && !peerEndedRequests;
  }

  void flushed() {
    lastSentMillis = System.currentTimeMillis();
  }

  void writerFailed(Throwable error) {
    if (!state.isTerminal()) {
      LOG.log(Level.DEBUG, () -> name + ": write failed", error);
      terminate(error, "write failed: " + error);
    }
  }

  // ---------------------------------------------------------------- ending

  private void readerEnded(String why, Throwable error) {
    readerDone.countDown();
    if (state.isTerminal()) {
      return;
    }
    if (error != null) {
      LOG.log(error instanceof ProtocolException ? Level.WARNING : Level.DEBUG,
          () -> name + ": receiving failed: " + error);
      terminate(error, "receiving failed: " + error.getMessage());
      return;
    }
    // Nothing more will come from the peer: our pending requests can never be answered.
    List<PendingRequest> orphans;
    synchronized (outbound) {
      readerEnded = true;
      orphans = pending.clear();
    }
    ConnectionClosedException closed = new ConnectionClosedException(name + ": " + why
        + " before the response arrived");
    for (PendingRequest request : orphans) {
      request.fail(closed, Outcome.ERROR);
    }
    shutdown(true);
  }

  /**
   * The graceful shutdown: refuse new requests, let running handlers answer, wait for our own
   * answers, send ERQ and EOF, wait for the peer's EOF; every wait bounded by the close timeout.
   */
  private void shutdown(boolean fromReader) {
    long deadline = System.nanoTime() + settings.closeTimeout.toNanos();
    boolean first;
    synchronized (outbound) {
      synchronized (inbound) {
        first = state == ConnectionState.OPEN;
        if (first) {
          state = ConnectionState.DRAINING;
        }
      }
      if (first && settings.sendErq && !fromReader) {
        // under the lock that submit holds to queue a request: no request can follow it
        writer.enqueue(Packet.ERQ);
      }
    }
    if (!first) {
      if (!fromReader) {
        awaitTermination(deadline);
      }
      return;
    }
    try {
      synchronized (inbound) {
        while ((running > 0 || !queued.isEmpty()) && waitUntil(inbound, deadline)) {
          // handlers still running
        }
      }
      synchronized (outbound) {
        while (!pending.isEmpty() && waitUntil(outbound, deadline)) {
          // our requests still pending
        }
      }
      writer.enqueue(Packet.EOF);
      writer.finish();
      // a late close still gets its EOF out, unless the peer has stopped reading altogether
      writer.await(Math.max(deadline - System.nanoTime(), EOF_FLUSH_NANOS));
      if (!fromReader) {
        readerDone.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    terminate(null, "closed");
  }

  private static boolean waitUntil(Object monitor, long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    TimeUnit.NANOSECONDS.timedWait(monitor, left);
    return true;
  }

  private void awaitTermination(long deadline) {
    try {
      terminated.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // ended badly or not in time: nothing more to wait for
    }
  }

  /** Ends the connection for good; the first call wins. */
  private void terminate(Throwable cause, String why) {
    List<PendingRequest> orphans;
    List<InboundRequest> unstarted;
    synchronized (outbound) {
      synchronized (inbound) {
        if (state.isTerminal()) {
          return;
        }
        if (state == ConnectionState.NEW) {
          opens = 0;
        }
        state = cause == null ? ConnectionState.CLOSED : ConnectionState.FAILED;
        failure = cause;
        unstarted = new ArrayList<>(queued);
        queued.clear();
        queuedBytes = 0;
        for (InboundRequest r : unstarted) {
          inboundTags.remove(r.packet.channel(), r.packet.tag());
        }
        inbound.notifyAll();
      }
      orphans = pending.clear();
      outbound.notifyAll();
    }
    writer.abort();
    try {
      transport.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> name + ": closing the transport failed", e);
    }
    ConnectionClosedException closed = new ConnectionClosedException(name + " " + why, cause);
    for (PendingRequest request : orphans) {
      request.fail(closed, Outcome.ERROR);
    }
    for (InboundRequest r : unstarted) {
      listener.requestFinished(this, Direction.INBOUND, r.packet.channel(), r.packet.tag(),
          r.packet.rqType(), Outcome.ERROR, System.nanoTime() - r.startNanos);
    }
    if (openedMillis != 0) {
      listener.connectionClosed(this, Optional.ofNullable(cause));
    }
    terminated.complete(null);
  }

  // ---------------------------------------------------------------- settings

  /** The settings a builder collected, frozen when a connection is opened. */
  private static final class Settings {
    final String name;
    final Map<Long, RequestHandler> handlers;
    final BufferHandler bufferHandler;
    final Executor executor;
    final ThreadFactory ioThreads;
    final int maxFrameLength;
    final int maxConcurrentRequests;
    final int maxQueuedRequests;
    final int maxPendingRequests;
    final long maxQueuedAnswerBytes;
    final long maxQueuedRequestBytes;
    final Duration requestTimeout;
    final Duration closeTimeout;
    final Duration packetGrace;
    final boolean sendErq;
    final List<TrafficListener> listeners;
    final int bufferSize;

    Settings(Builder b) {
      name = b.name;
      bufferHandler = b.bufferHandler;
      Map<Long, RequestHandler> all = new HashMap<>(b.handlers);
      if (bufferHandler != null) {
        all.put(0L, DirectAnswers.asRequestHandler(bufferHandler, b.bufferSize));
      }
      handlers = Map.copyOf(all);
      executor = b.executor != null ? b.executor : DefaultThreads.handlerExecutor();
      ioThreads = b.ioThreads != null ? b.ioThreads : DefaultThreads.ioThreadFactory();
      maxFrameLength = b.maxFrameLength;
      maxConcurrentRequests = b.maxConcurrentRequests;
      maxQueuedRequests = b.maxQueuedRequests;
      maxPendingRequests = b.maxPendingRequests;
      maxQueuedAnswerBytes = b.maxQueuedAnswerBytes;
      maxQueuedRequestBytes = b.maxQueuedRequestBytes;
      requestTimeout = b.requestTimeout;
      closeTimeout = b.closeTimeout;
      packetGrace = b.packetGrace;
      sendErq = b.sendErq;
      listeners = List.copyOf(b.listeners);
      bufferSize = b.bufferSize;
    }

    TrafficListener listener() {
      return TrafficListener.of(listeners);
    }
  }

  /**
   * Collects a connection's settings; every limit has a safe default. A builder can open any
   * number of connections and is not thread-safe; {@link #copy()} one to vary it.
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

    private String name;
    private final Map<Long, RequestHandler> handlers = new HashMap<>();
    private BufferHandler bufferHandler;
    private Executor executor;
    private ThreadFactory ioThreads;
    private int maxFrameLength = PacketCodec.DEFAULT_MAX_FRAME_LENGTH;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private int maxQueuedRequests = DEFAULT_MAX_QUEUED_REQUESTS;
    private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
    private long maxQueuedAnswerBytes = DEFAULT_MAX_QUEUED_ANSWER_BYTES;
    private long maxQueuedRequestBytes = DEFAULT_MAX_QUEUED_REQUEST_BYTES;
    private Duration requestTimeout = Duration.ZERO;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration packetGrace = Duration.ZERO;
    private boolean sendErq = true;
    private final List<TrafficListener> listeners = new ArrayList<>();
    private int bufferSize = DEFAULT_BUFFER_SIZE;
    private Duration readSpin = Duration.ZERO;

    Builder() {}

    /** A builder with the same settings, to vary independently. */
    public Builder copy() {
      Builder b = new Builder();
      b.name = name;
      b.handlers.putAll(handlers);
      b.bufferHandler = bufferHandler;
      b.executor = executor;
      b.ioThreads = ioThreads;
      b.maxFrameLength = maxFrameLength;
      b.maxConcurrentRequests = maxConcurrentRequests;
      b.maxQueuedRequests = maxQueuedRequests;
      b.maxPendingRequests = maxPendingRequests;
      b.maxQueuedAnswerBytes = maxQueuedAnswerBytes;
      b.maxQueuedRequestBytes = maxQueuedRequestBytes;
      b.requestTimeout = requestTimeout;
      b.closeTimeout = closeTimeout;
      b.packetGrace = packetGrace;
      b.sendErq = sendErq;
      b.listeners.addAll(listeners);
      b.bufferSize = bufferSize;
      b.readSpin = readSpin;
      return b;
    }

    /** The connection's name in logs, metrics and health; default {@code packetstream-N}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Serves the peer's requests on channel 0. Without one, they are refused with the
     * original's {@code no request handler}.
     */
    public Builder handler(RequestHandler handler) {
      return handler(0, handler);
    }

    /**
     * Serves the peer's requests on {@code channel}. Requests on a channel without a handler
     * are refused with the original's {@code unknown channel %d}.
     */
    public Builder handler(long channel, RequestHandler handler) {
      if (channel < 0) {
        throw new IllegalArgumentException("negative channel " + channel);
      }
      handlers.put(channel, Objects.requireNonNull(handler, "handler"));
      if (channel == 0) {
        bufferHandler = null;
      }
      return this;
    }

    /**
     * Serves the peer's requests on channel 0 with a {@link BufferHandler}, on the reader thread
     * and without allocating per request, in place of a {@link RequestHandler}. When the
     * connection has a {@link TrafficListener} or a tick, which see every packet as an object,
     * requests take the regular path instead: a {@code RequestHandler} around this one, on the
     * {@link #executor}.
     */
    public Builder bufferHandler(BufferHandler handler) {
      bufferHandler = Objects.requireNonNull(handler, "handler");
      handlers.remove(0L);
      return this;
    }

    /**
     * Where handlers run. Default: a virtual thread per request on Java 21+, on 17 a shared pool
     * that grows to 512 threads as handlers need them (a request it cannot take is answered
     * not-ok). A direct executor ({@code Runnable::run}) runs
     * handlers on the reader thread: fastest for handlers that never block, but one that blocks
     * stalls the whole connection.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Makes the connection's reader and writer threads. Default: daemon platform threads, on
     * every Java version, because they wake up for every burst of traffic and a platform thread
     * wakes fastest. A virtual-thread factory saves memory for very many idle connections.
     */
    public Builder ioThreadFactory(ThreadFactory threads) {
      this.ioThreads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    /**
     * The longest frame body accepted from the peer; default 16 MiB, at most
     * {@link PacketCodec#LARGEST_MAX_FRAME_LENGTH}.
     */
    public Builder maxFrameLength(int bytes) {
      this.maxFrameLength = PacketCodec.checkMaxFrameLength(bytes);
      return this;
    }

    /** How many of the peer's requests run at once; default 64. */
    public Builder maxConcurrentRequests(int n) {
      this.maxConcurrentRequests = positive("maxConcurrentRequests", n);
      return this;
    }

    /**
     * How many of the peer's requests may wait for a slot; default 4096. Beyond that a request
     * is refused at once with a not-ok response naming the limits.
     */
    public Builder maxQueuedRequests(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxQueuedRequests " + n + " is negative");
      }
      this.maxQueuedRequests = n;
      return this;
    }

    /**
     * How many bytes of payload the peer's requests waiting for a slot may hold together;
     * default 64 MiB. {@link #maxQueuedRequests} alone would let 4096 frames of 16 MiB wait.
     * Beyond it a request is refused at once with a not-ok {@code too many requests: ...}
     * naming the limit; running requests do not count.
     */
    public Builder maxQueuedRequestBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxQueuedRequestBytes " + bytes + " is negative");
      }
      this.maxQueuedRequestBytes = bytes;
      return this;
    }

    /** How many of this end's requests may await answers at once; default 65536. */
    public Builder maxPendingRequests(int n) {
      this.maxPendingRequests = positive("maxPendingRequests", n);
      return this;
    }

    /**
     * How many bytes of answers to the peer may wait to be written before this end stops reading
     * the peer's requests; default 16 MiB, one largest frame at the default
     * {@link #maxFrameLength}. Reading resumes when the peer has read enough to bring the queue
     * back under the limit, so a peer that floods requests and never reads the answers is held
     * back by TCP instead of growing this end's memory. Requests already admitted still answer,
     * so the queue can pass the limit by their answers. Only answers count: this end's own
     * requests never stop it from reading the answers to them. While stopped, this end also
     * reads no answers to its own requests.
     */
    public Builder maxQueuedAnswerBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxQueuedAnswerBytes " + bytes + " is below 1");
      }
      this.maxQueuedAnswerBytes = bytes;
      return this;
    }

    /** How long this end's requests wait for an answer; {@link Duration#ZERO} (default) = no limit. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = nonNegative("requestTimeout", timeout);
      return this;
    }

    /** How long a graceful close may take before the connection is ended anyway; default 10 s. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = nonNegative("closeTimeout", timeout);
      return this;
    }

    /**
     * How long the writer waits for more packets before it flushes what it has. Default
     * {@link Duration#ZERO}: write as soon as the queue is empty, which still puts everything
     * queued meanwhile into one write. The original's 10 ms costs about 20 ms a round trip.
     */
    public Builder packetGrace(Duration grace) {
      this.packetGrace = nonNegative("packetGrace", grace);
      return this;
    }

    /**
     * Whether closing sends ERQ before EOF (default true, as release 20240630 does). Turn it off
     * for peers of release 20240412, which stop reading when they see it.
     */
    public Builder sendErq(boolean sendErq) {
      this.sendErq = sendErq;
      return this;
    }

    /** Adds a listener for the connection's traffic and requests. */
    public Builder listener(TrafficListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Gives {@code tick} a short label for every packet sent ({@code >Q}, {@code >A},
     * {@code >EOF}, ...) or received ({@code <Q}, ...): the original's activity ticker.
     */
    public Builder tick(Consumer<String> tick) {
      return listener(new ActivityTicker(Objects.requireNonNull(tick, "tick")));
    }

    /** The size of the read and write buffers; default 64 KiB. Larger frames still pass. */
    public Builder bufferSize(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("bufferSize " + bytes + " is below 64");
      }
      this.bufferSize = bytes;
      return this;
    }

    /**
     * How long the reader of a busy connection keeps polling its quiet socket channel before it
     * goes to sleep; default {@link Duration#ZERO}, never; at most one second; some tens of
     * microseconds (50 µs, say) suit a busy request/response connection. Polling lets the answer
     * to a request, or a busy peer's next request, be read without waking a sleeping thread,
     * which makes round trips several times faster on a machine with cores to spare. It costs CPU
     * time, so a reader polls only while its connection is busy (its last poll caught bytes, or
     * its last sleep was shorter than a millisecond or than the spin), and at most half the cores'
     * worth of readers in the JVM poll at once: a quiet connection sleeps as if there were no
     * spin. Where other busy threads want the cores, a polling reader holds one and slows them,
     * which is why it is off by default. For connections over channels
     * ({@link #open(SocketChannel, boolean)} and
     * {@link #open(ReadableByteChannel, WritableByteChannel)}); streams always block.
     */
    public Builder readSpin(Duration spin) {
      if (nonNegative("readSpin", spin).compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("readSpin " + spin + " is above 1 s");
      }
      this.readSpin = spin;
      return this;
    }

    /**
     * Opens a connection over a stream pair. The streams stay the caller's: the connection never
     * closes them, and so cannot interrupt its reader blocked in {@code in.read}: after
     * {@link PacketConnection#abort()} (or a close that times out) the caller closes {@code in}
     * to release it.
     */
    public PacketConnection open(InputStream in, OutputStream out) {
      return open(new StreamTransport(
          Objects.requireNonNull(in, "in"), Objects.requireNonNull(out, "out"), null, null));
    }

    /**
     * Opens a connection over a connected socket (plain or TLS). With {@code owned} the
     * connection closes the socket when it ends; otherwise that is left to the caller, who must
     * also close it to release a reader blocked on it after an abort. The connection turns on
     * {@code TCP_NODELAY}, and {@code SO_KEEPALIVE} so that a peer that vanished without a word
     * (a half-open connection) is noticed in the end even with no traffic.
     */
    public PacketConnection open(Socket socket, boolean owned) throws IOException {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      return open(new StreamTransport(socket.getInputStream(), socket.getOutputStream(),
          owned ? socket : null, socket.getRemoteSocketAddress()));
    }

    /**
     * Opens a connection over a connected socket channel, TCP or Unix domain; the fastest
     * transport. The connection puts the channel in non-blocking mode and uses it alone from then
     * on. With {@code owned} the connection closes the channel when it ends. On TCP it turns on
     * {@code TCP_NODELAY} and {@code SO_KEEPALIVE}, so that a half-open peer is noticed in the end.
     */
    public PacketConnection open(SocketChannel channel, boolean owned) throws IOException {
      if (channel.getRemoteAddress() instanceof java.net.InetSocketAddress) {
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
      }
      return open(new ChannelTransport(channel, channel, owned ? channel : null,
          channel.getRemoteAddress(), readSpin));
    }

    /**
     * Opens a connection over a pair of channels, such as the ends of two
     * {@link java.nio.channels.Pipe}s. The channels stay the caller's, but selectable ones are put
     * in non-blocking mode and must not be used by anyone else while the connection lives.
     */
    public PacketConnection open(ReadableByteChannel in, WritableByteChannel out) throws IOException {
      return open(new ChannelTransport(
          Objects.requireNonNull(in, "in"), Objects.requireNonNull(out, "out"), null, null,
          readSpin));
    }

    private PacketConnection open(Transport transport) {
      return new PacketConnection(new Settings(this), transport).open();
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
      return d;
    }
  }
}
