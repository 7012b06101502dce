package io.packetstream.connection;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * A TLS connection over a socket channel on an {@link EventLoop}, through an {@link SSLEngine}: the
 * loop reads the network bytes, unwraps them and hands the plaintext to the connection in its read
 * batch, as {@link ChannelIo} does; writes wrap the connection's bytes into records and write them
 * without blocking. Like {@code ChannelIo} it holds no thread while idle.
 *
 * <p>Handshake: driven by the loop without blocking, started by {@link #start}; the engine's
 * delegated tasks (certificate checks, key agreement) run on threads of their own, oldest handshake
 * first ({@link DelegatedTasks}), and the loop goes on when they are done. Until the first
 * handshake has finished, {@link #write} takes nothing (returns 0), and the connection's writer
 * waits for {@link #awaitWritable}. A handshake that has not finished within its timeout fails the
 * connection. Later handshakes (TLS 1.2 renegotiation, TLS 1.3 key updates) are handled the same
 * way, in between records.
 *
 * <p>Memory: network bytes are buffered only while they need to be. Reads go into a direct buffer
 * per loop thread, shared by that loop's TLS connections, and are unwrapped into the loop's read
 * buffer; only an incomplete record (or records left unread while reading is paused) is copied into
 * a heap buffer of the connection's own. Writes wrap into a buffer of the group's write pool that
 * goes back to it as soon as the channel has taken everything. An idle connection thus holds its
 * engine and session, its selection key and this object, and no buffer.
 *
 * <p>Threads: the loop thread alone reads, unwraps, drives the handshake and changes the interest
 * set; other threads ask it to through {@link EventLoop#execute}. Writes come from whichever thread
 * owns the connection's {@link Outbound}; {@code writeLock} serialises every wrap and every write
 * to the channel (the loop's handshake records and the writer's application records share the
 * engine's sequence and the channel), and nothing blocks under it. The engine itself may be used by
 * two threads at once (one wraps, one unwraps).
 */
final class TlsChannelIo extends LoopIo {

  /** How long a closed connection keeps trying to write its last records and close_notify. */
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** The network read buffer of each loop thread. */
  private static final int NET_IN_SIZE = 64 * 1024;

  private static final ThreadLocal<ByteBuffer> NET_IN =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(NET_IN_SIZE));
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** What {@link #unwrapRecords} left to do. */
  private static final int MORE = 0; // it needs more network bytes

  private static final int STOP = 1; // it cannot go on now (paused, tasks, channel full)
  private static final int ENDED = 2; // the peer's close_notify

  private final SocketChannel channel;
  private final SSLEngine engine;
  private final boolean owned;
  private final EventLoopGroup group;
  private final long handshakeTimeoutNanos;
  private final AtomicBoolean pumpAsked = new AtomicBoolean();

  // the loop thread's
  private SelectionKey key;
  private boolean begun; // beginHandshake was called
  private long begunNanos;
  private boolean pumping;
  private boolean channelEnded; // the channel read EOF
  private boolean inputDone; // EOF or close_notify read: nothing more is unwrapped
  private boolean endDeferred; // ... but reading was paused with frames kept: ends on resume
  private boolean tasksRunning;
  private boolean stalled; // handshake records wait for the channel before anything else goes on
  private boolean wantWrite; // the writer waits for writable()
  private boolean lingering;
  private boolean finished;
  private ByteBuffer inBuf; // network bytes not yet unwrapped, read mode; null when none
  private long inBufReadNanos; // when bytes kept in inBuf were last read; loop thread
  private ByteBuffer ownApp; // plaintext buffer, only if the loop's read buffer is too small
  private EventLoop.Timer handshakeTimer;
  private EventLoop.Timer lingerTimer;

  // guarded by writeLock
  private final Object writeLock = new Object();
  private ByteBuffer netOut; // wrapped bytes not yet written, write mode; null when none
  private boolean netOutPooled;

  private volatile boolean outPending; // netOut holds bytes; written under writeLock
  private volatile boolean established; // the first handshake has finished
  private volatile boolean peerClosed; // inputDone, for writers: no handshake can finish now

  @Override
  Optional<SSLSession> tlsSession() {
    return established ? Optional.of(engine.getSession()) : Optional.empty();
  }

  TlsChannelIo(
      SocketChannel channel,
      SSLEngine engine,
      boolean owned,
      SocketAddress remote,
      EventLoop loop,
      long handshakeTimeoutNanos)
      throws IOException {
    super(remote, loop);
    this.channel = channel;
    this.engine = engine;
    this.owned = owned;
    this.group = loop.group();
    this.handshakeTimeoutNanos = handshakeTimeoutNanos;
    channel.configureBlocking(false);
  }

  @Override
  void register() {
    if (closed) {
      return;
    }
    try {
      key = loop.register(channel, SelectionKey.OP_READ, this);
      if (handshakeTimeoutNanos > 0) {
        handshakeTimer = loop.schedule(this::handshakeTimedOut, handshakeTimeoutNanos);
      }
      begunNanos = System.nanoTime();
      engine.beginHandshake();
      begun = true;
    } catch (Throwable t) {
      connection.ioFailed(t);
      return;
    }
    pumpOrFail();
  }

  private void handshakeTimedOut() {
    if (established || closed) {
      return;
    }
    String why =
        "TLS handshake"
            + remoteAddress().map(a -> " with " + a).orElse("")
            + " not finished within "
            + TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNanos)
            + " ms (handshakeTimeout)";
    SSLHandshakeException e = new SSLHandshakeException(why);
    e.initCause(new SocketTimeoutException(why));
    connection.ioFailed(e);
  }

  // ---------------------------------------------------------------- the loop thread

  @Override
  public void ready(int readyOps) throws IOException {
    if (closed) {
      if (lingering && (readyOps & SelectionKey.OP_WRITE) != 0) {
        lingerFlush();
      }
      return;
    }
    pump((readyOps & SelectionKey.OP_READ) != 0);
  }

  /** Asks the loop to {@link #pump} soon; any thread; repeated asks before it runs are one. */
  private void askPump() {
    if (pumpAsked.compareAndSet(false, true)) {
      loop.execute(
          () -> {
            pumpAsked.set(false);
            pumpOrFail();
          });
    }
  }

  /** {@link #pump} without a read; a failure fails the connection. Loop thread. */
  private void pumpOrFail() {
    try {
      pump(false);
    } catch (Throwable t) {
      connection.ioFailed(t);
    }
  }

  /**
   * Does what the engine and the channel allow now: writes what waits, takes the handshake a step
   * further, reads (when {@code readable}) and unwraps, and tells a waiting writer when it may
   * write again. Loop thread.
   */
  private void pump(boolean readable) throws IOException {
    if (closed || key == null) {
      return;
    }
    if (pumping) {
      askPump();
      return;
    }
    pumping = true;
    try {
      if (outPending) {
        synchronized (writeLock) {
          flushLocked();
        }
      }
      if (stalled && !outPending) {
        stalled = false;
      }
      if (!inputDone && !stalled && !tasksRunning) {
        readAndUnwrap(readable);
      }
      // no call into the engine while a delegated task runs: it holds the engine's lock, and the
      // loop would wait on it, stalling every connection of the loop
      if (!established && !tasksRunning) {
        checkEstablished(engine.getHandshakeStatus());
      }
      maybeWritable();
      updateInterest();
    } finally {
      pumping = false;
    }
  }

  private void readAndUnwrap(boolean readable) throws IOException {
    ByteBuffer net = takeNetIn();
    ByteBuffer app = appBuffer();
    boolean ended = false;
    boolean gotBytes = false;
    connection.beginBatch();
    try {
      boolean read = readable;
      for (int round = 0; round < READS_PER_EVENT && !closed; round++) {
        int n = 0;
        if (read && !channelEnded && !paused && net.hasRemaining()) {
          n = channel.read(net);
          if (n < 0) {
            channelEnded = true;
          } else if (n > 0) {
            gotBytes = true;
          }
        }
        net.flip();
        int step = unwrapRecords(net, app);
        if (app.position() > 0 && !deliver(app) && step == MORE) {
          step = STOP;
        }
        net.compact();
        if (step == ENDED || (step == MORE && channelEnded)) {
          ended = true; // close_notify, or EOF with every whole record unwrapped
          break;
        }
        if (step == STOP || n <= 0) {
          break;
        }
        if (!net.hasRemaining()) {
          throw new SSLException("a TLS record does not fit in " + net.capacity() + " bytes");
        }
        read = true;
      }
    } finally {
      keepNetIn(net);
      if (gotBytes && inBuf != null) {
        inBufReadNanos = System.nanoTime();
      }
      connection.endBatch();
    }
    if (ended && !closed) {
      if (!established) {
        throw new SSLHandshakeException(
            "the peer"
                + remoteAddress().map(a -> " " + a).orElse("")
                + " ended the connection during the TLS handshake");
      }
      inputDone = true;
      peerClosed = true;
      inBuf = null;
      if (paused) {
        // the reader keeps frames read before the end: they go on first, when reading resumes
        endDeferred = true;
      } else {
        connection.receivedEnd();
      }
    }
  }

  /**
   * Unwraps the records in {@code net} into {@code app}, handing plaintext to the connection
   * whenever {@code app} is nearly full, and takes the handshake along as the engine asks.
   */
  private int unwrapRecords(ByteBuffer net, ByteBuffer app) throws IOException {
    boolean idle = false; // the last turn did nothing
    while (!closed) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        startTasks();
        return STOP;
      }
      if (hs == HandshakeStatus.NEED_WRAP) {
        int w = wrapHandshake();
        if (w < 0) {
          stalled = true;
          return STOP;
        }
        if (w > 0) {
          idle = false;
          continue;
        }
      }
      if (paused) {
        return STOP;
      }
      if (!net.hasRemaining()) {
        return MORE;
      }
      if (app.remaining() < engine.getSession().getApplicationBufferSize()
          && app.position() > 0
          && !deliver(app)) {
        return STOP;
      }
      SSLEngineResult r = engine.unwrap(net, app);
      checkEstablished(r.getHandshakeStatus());
      switch (r.getStatus()) {
        case BUFFER_UNDERFLOW:
          return MORE;
        case BUFFER_OVERFLOW:
          if (app.position() == 0) {
            // appBuffer() is sized from the session: the engine asks for more than it said
            throw new SSLException("TLS plaintext does not fit in " + app.capacity() + " bytes");
          }
          if (!deliver(app)) {
            return STOP;
          }
          continue;
        case CLOSED:
          return ENDED;
        default:
          break;
      }
      boolean nothing = r.bytesConsumed() == 0 && r.bytesProduced() == 0;
      if (nothing && idle) {
        return MORE; // the engine wants nothing it can do with these bytes now
      }
      idle = nothing;
    }
    return STOP;
  }

  /** Hands the plaintext in {@code app} to the connection; false if reading must stop now. */
  private boolean deliver(ByteBuffer app) throws IOException {
    app.flip();
    int n = app.remaining();
    boolean more;
    try {
      more = connection.received(app, n);
    } finally {
      app.clear();
    }
    return more;
  }

  /**
   * Wraps one handshake message (or alert) and writes it; 1 if it produced bytes, 0 if the engine
   * had nothing to send, -1 if the channel must take earlier bytes first.
   */
  private int wrapHandshake() throws IOException {
    synchronized (writeLock) {
      SSLEngineResult r = wrapLocked(EMPTY);
      checkEstablished(r.getHandshakeStatus());
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return -1;
      }
      flushLocked();
      return r.bytesProduced() > 0 ? 1 : 0;
    }
  }

  private void checkEstablished(HandshakeStatus hs) {
    if (established || !begun) {
      return;
    }
    if (hs == HandshakeStatus.FINISHED || hs == HandshakeStatus.NOT_HANDSHAKING) {
      established = true;
      if (handshakeTimer != null) {
        handshakeTimer.cancel();
        handshakeTimer = null;
      }
    }
  }

  private void startTasks() {
    if (tasksRunning) {
      return;
    }
    tasksRunning = true;
    DelegatedTasks.run(
        begunNanos,
        () -> {
          Throwable error = null;
          try {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
              task.run();
            }
          } catch (Throwable t) {
            error = t;
          }
          Throwable failure = error;
          loop.execute(
              () -> {
                tasksRunning = false;
                if (failure != null) {
                  connection.ioFailed(failure);
                  return;
                }
                pumpOrFail();
              });
        });
  }

  /** Tells the waiting writer it may write, once the handshake and the channel allow it. */
  private void maybeWritable() {
    if (!wantWrite || !established || outPending || closed || tasksRunning) {
      return;
    }
    if (!inputDone && engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
      // a handshake under way; once the input ended, a write fails at once instead of waiting
      return;
    }
    wantWrite = false;
    connection.writable();
  }

  @Override
  void updateInterest() {
    if (key == null) {
      return;
    }
    try {
      int ops = 0;
      if (!closed && !paused && !inputDone && !channelEnded && !tasksRunning && !stalled) {
        ops |= SelectionKey.OP_READ;
      }
      if (outPending) {
        ops |= SelectionKey.OP_WRITE;
      }
      key.interestOps(ops);
    } catch (CancelledKeyException e) {
      // closed meanwhile
    }
  }

  @Override
  long heldInputNanos() {
    // the handshake has a timeout of its own; stalled on our own wrap or tasks, the wait is ours
    return established && !stalled && !tasksRunning && inBuf != null && inBuf.hasRemaining()
        ? inBufReadNanos
        : Long.MIN_VALUE;
  }

  /** The network bytes kept from before, in the loop thread's read buffer, in write mode. */
  private ByteBuffer takeNetIn() {
    int packet = engine.getSession().getPacketBufferSize();
    ByteBuffer net = NET_IN.get();
    int kept = inBuf == null ? 0 : inBuf.remaining();
    if (net.capacity() < kept + 2 * packet) {
      net = ByteBuffer.allocate(kept + 2 * packet); // larger records than the loop's buffer takes
    }
    net.clear();
    if (inBuf != null) {
      net.put(inBuf);
      inBuf.clear();
    }
    return net;
  }

  /** Keeps the bytes {@code net} still holds (write mode) for the next turn; none: frees them. */
  private void keepNetIn(ByteBuffer net) {
    int n = net.position();
    if (n == 0) {
      inBuf = null;
      return;
    }
    if (inBuf == null || inBuf.capacity() < n) {
      inBuf = ByteBuffer.allocate(n);
    }
    inBuf.clear();
    net.flip();
    inBuf.put(net);
    inBuf.flip();
  }

  private ByteBuffer appBuffer() {
    int size = engine.getSession().getApplicationBufferSize();
    ByteBuffer app = loop.readBuffer();
    if (app.capacity() < size) {
      if (ownApp == null || ownApp.capacity() < size) {
        ownApp = ByteBuffer.allocate(size);
      }
      app = ownApp;
    }
    app.clear();
    return app;
  }

  // ---------------------------------------------------------------- writing (any thread)

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (!established) {
      return 0;
    }
    int start = src.position();
    boolean ask = false;
    HandshakeStatus waiting = null; // what the engine waited for when it took nothing
    synchronized (writeLock) {
      if (flushLocked()) {
        while (src.hasRemaining()) {
          SSLEngineResult r = wrapLocked(src);
          waiting = r.getHandshakeStatus();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the TLS session is closed");
          }
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            break; // the channel is full
          }
          HandshakeStatus hs = r.getHandshakeStatus();
          if (hs == HandshakeStatus.NEED_TASK
              || hs == HandshakeStatus.NEED_UNWRAP
              || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
            ask = true; // a handshake began: the loop takes it on
            break;
          }
          if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
            break;
          }
          if (netOut.remaining() < engine.getSession().getPacketBufferSize() && !flushLocked()) {
            break;
          }
        }
        flushLocked();
      }
      ask |= outPending; // the loop writes the rest when the channel takes it
      if (peerClosed && !outPending && src.position() == start && src.hasRemaining()) {
        // the engine waits for the peer (a handshake under way), which has closed: waiting for
        // writable() would only come straight back here, until the close deadline
        throw new SSLException(
            "the peer"
                + remoteAddress().map(a -> " " + a).orElse("")
                + " closed TLS (close_notify) while the engine waits for it ("
                + waiting
                + "): "
                + src.remaining()
                + " bytes can no longer be sent");
      }
    }
    if (ask) {
      askPump();
    }
    return src.position() - start;
  }

  /** Wraps from {@code src} into {@code netOut}, writing what it holds first if it is full. */
  private SSLEngineResult wrapLocked(ByteBuffer src) throws IOException {
    int packet = engine.getSession().getPacketBufferSize();
    if (netOut == null) {
      acquireNetOut(packet);
    }
    SSLEngineResult r = engine.wrap(src, netOut);
    if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
      return r;
    }
    flushLocked();
    if (netOut == null) {
      acquireNetOut(packet);
    } else if (netOut.remaining() < packet) {
      return r; // still full: wait for the channel
    }
    r = engine.wrap(src, netOut);
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && netOut.position() == 0) {
      throw new SSLException("a TLS record does not fit in " + netOut.capacity() + " bytes");
    }
    return r;
  }

  private void acquireNetOut(int packet) {
    if (packet <= EventLoopGroup.IO_BUFFER_SIZE) {
      netOut = group.acquireWriteBuffer();
      netOutPooled = true;
    } else {
      netOut = ByteBuffer.allocate(packet);
      netOutPooled = false;
    }
  }

  /** Writes what {@code netOut} holds; true if the channel took it all (the buffer is freed). */
  private boolean flushLocked() throws IOException {
    if (netOut == null) {
      outPending = false;
      return true;
    }
    if (netOut.position() > 0) {
      netOut.flip();
      try {
        while (netOut.hasRemaining() && channel.write(netOut) > 0) {
          // as much as the channel takes now
        }
      } finally {
        netOut.compact();
      }
    }
    if (netOut.position() == 0) {
      releaseNetOut();
      outPending = false;
      return true;
    }
    outPending = true;
    return false;
  }

  private void releaseNetOut() {
    if (netOut != null && netOutPooled) {
      group.release(netOut);
    }
    netOut = null;
  }

  @Override
  public void awaitWritable() {
    loop.execute(
        () -> {
          if (closed) {
            return;
          }
          wantWrite = true;
          maybeWritable();
          updateInterest();
        });
  }

  // ---------------------------------------------------------------- reading control

  @Override
  void resumedInput() {
    if (endDeferred) {
      endDeferred = false;
      connection.receivedEnd();
    }
  }

  @Override
  void resumed() {
    pumpOrFail(); // records read before the pause
  }

  // ---------------------------------------------------------------- closing

  @Override
  void close() {
    closed = true;
    loop.execute(this::closeOnLoop);
  }

  /** Sends close_notify (or the alert a failed handshake left) best-effort, then lets go. */
  private void closeOnLoop() {
    if (finished || lingering) {
      return;
    }
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
      handshakeTimer = null;
    }
    inBuf = null;
    ownApp = null;
    if (tasksRunning) {
      // a delegated task holds the engine, for as long as it takes: no close_notify then, and
      // the loop must not wait for the engine
      finishClose();
      return;
    }
    boolean pending = false;
    try {
      engine.closeOutbound();
      synchronized (writeLock) {
        for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
          SSLEngineResult r = wrapLocked(EMPTY);
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW || r.bytesProduced() == 0) {
            break;
          }
        }
        pending = !flushLocked();
      }
    } catch (Throwable t) {
      // best effort: the connection ends anyway
    }
    if (pending && key != null && key.isValid() && channel.isOpen()) {
      lingering = true;
      try {
        key.interestOps(SelectionKey.OP_WRITE);
      } catch (CancelledKeyException | java.nio.channels.ClosedSelectorException e) {
        finishClose();
        return;
      }
      lingerTimer = loop.schedule(this::finishClose, LINGER_NANOS);
    } else {
      finishClose();
    }
  }

  private void lingerFlush() {
    boolean done;
    try {
      synchronized (writeLock) {
        done = flushLocked();
      }
    } catch (Throwable t) {
      done = true;
    }
    if (done) {
      finishClose();
    }
  }

  private void finishClose() {
    if (finished) {
      return;
    }
    finished = true;
    lingering = false;
    if (lingerTimer != null) {
      lingerTimer.cancel();
    }
    if (key != null) {
      key.cancel();
    }
    if (owned) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    synchronized (writeLock) {
      releaseNetOut();
      outPending = false;
    }
  }

  /**
   * The bytes of buffers the connection holds of its own now: not the loop's nor the pool's ones it
   * borrows while it works. Read on the loop thread; for tests.
   */
  java.util.concurrent.CompletableFuture<Integer> heldBufferBytes() {
    java.util.concurrent.CompletableFuture<Integer> held =
        new java.util.concurrent.CompletableFuture<>();
    loop.execute(
        () -> {
          int n = (inBuf == null ? 0 : inBuf.capacity()) + (ownApp == null ? 0 : ownApp.capacity());
          synchronized (writeLock) {
            n += netOut == null ? 0 : netOut.capacity();
          }
          held.complete(n);
        });
    return held;
  }

  @Override
  boolean owned() {
    return owned;
  }

  /**
   * Runs the engines' delegated tasks on daemon threads of their own, {@code packetstream-tls-N},
   * those of the oldest handshake first: under a burst of new connections the first ones finish
   * their handshakes in turn, instead of every handshake advancing one step per round of all of
   * them and all of them running into their timeout together.
   *
   * <p>A task may block for long (a trust manager that asks an OCSP responder, a hostile chain), so
   * each gets a thread while fewer than {@link #MAX_THREADS} are busy: a hung task holds its own
   * handshake only. A thread is made when every one is busy, and ends after 30 s idle. When {@link
   * #MAX_THREADS} are busy, further tasks wait in the queue, oldest handshake first, and their
   * handshakes with them; each handshake's timeout still ends its connection (the thread its task
   * holds is freed only when the task returns).
   */
  static final class DelegatedTasks {
    /**
     * The most threads running delegated tasks at once, of every connection of the JVM: system
     * property {@code packetstream.tlsThreads}, default 64.
     */
    static final int MAX_THREADS = Math.max(1, Integer.getInteger("packetstream.tlsThreads", 64));

    private static final PriorityBlockingQueue<Job> QUEUE = new PriorityBlockingQueue<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final ExecutorService THREADS =
        DefaultThreads.HandlerPool.create("packetstream-tls-", MAX_THREADS);

    private record Job(long begunNanos, long order, Runnable work) implements Comparable<Job> {
      @Override
      public int compareTo(Job o) {
        int c = Long.compare(begunNanos - o.begunNanos, 0);
        return c != 0 ? c : Long.compare(order, o.order);
      }
    }

    private DelegatedTasks() {}

    /** Runs {@code work} for a handshake begun at {@code begunNanos}, after older ones' work. */
    static void run(long begunNanos, Runnable work) {
      QUEUE.add(new Job(begunNanos, SEQUENCE.incrementAndGet(), work));
      // one pool task per job: each runs whichever job is oldest when it starts
      THREADS.execute(
          () -> {
            Job job = QUEUE.poll();
            if (job != null) {
              job.work.run();
            }
          });
    }
  }
}
