package io.packetstream.cli;

import io.packetstream.wire.MalformedFrameException;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * Opens and holds many TCP connections to one port of 127.0.0.1 from a single selector thread, for
 * {@code conn-load}. A connection costs a socket channel, a selection key and two small buffers,
 * never a thread, so that one process can hold tens of thousands; the library's {@code
 * PacketConnection} is not used at all.
 *
 * <p>With {@code speak} set, each connection talks just enough packetstream, framed by the core's
 * {@link PacketCodec}, to play the rr load: requests of type 0 on channel 0 with tags counting up
 * from 2, request tag t carrying payload {@code t mod 256} (B bytes that are no palindrome), each
 * answer checked against that payload reversed. Without it the connections send nothing.
 *
 * <p>Every connection's state belongs to the loop thread. The caller hands work to it through a
 * queue and {@code selector.wakeup()}, and gets the figures back through futures, which also
 * publish them to the caller's thread.
 *
 * <p>What counts as an error: a connection that could not be opened ({@code connectFailures}); an
 * answer that is not ok, not the reversed payload, or for a tag not in flight ({@code
 * wrongAnswers}); a connection that the peer ended, reset or sent EOF on while it was held ({@code
 * lost}, once per connection); a request that got no answer in time or whose connection was lost
 * ({@code unanswered}).
 */
final class ConnLoad implements AutoCloseable {

  /** The longest frame body read: far above the payloads this load sends. */
  static final int MAX_FRAME = 1 << 20;

  /** The longest latency the active phase's histogram tracks; longer ones are recorded as this. */
  static final long MAX_TRACKED_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** The first tag a connection uses: 0 and 1 are the control packets' (PROTOCOL.md). */
  static final long FIRST_TAG = 2;

  /** The figures so far, counted on the loop. */
  record Counts(
      int open,
      long answered,
      long connectFailures,
      long wrongAnswers,
      long lost,
      long unanswered) {

    /** Every error of every kind. */
    long errors() {
      return connectFailures + wrongAnswers + lost + unanswered;
    }
  }

  /**
   * What the active phase did: {@code connections} took part, {@code requests} were answered
   * rightly in {@code nanos} (from the first request to the last answer), with these latencies;
   * {@code errors} arose during the phase.
   */
  record ActiveResult(
      int connections, long requests, long nanos, Histogram latencies, long errors) {}

  private final InetSocketAddress address;
  private final boolean speak;
  private final int maxConnecting;
  private final PacketCodec codec = new PacketCodec(MAX_FRAME);
  private final byte[][] payloads = new byte[256][];
  private final byte[][] expected = new byte[256][];
  private final Selector selector;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread loop;

  // everything below belongs to the loop thread
  private final List<Conn> conns = new ArrayList<>();
  private final List<Conn> dirty = new ArrayList<>();
  private boolean stopping;
  private int open;
  private long answered;
  private long connectFailures;
  private long wrongAnswers;
  private long lost;
  private long unanswered;

  /** Connections the current step wants in all, and how many of them were attempted so far. */
  private int target;

  private int attempted;

  /**
   * Connections attempted whose fate is not known yet: connecting, or awaiting the first answer.
   */
  private int unsettled;

  private CompletableFuture<Counts> step;
  private Active active;

  private ConnLoad(int port, boolean speak, int payloadBytes, int maxConnecting)
      throws IOException {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.speak = speak;
    this.maxConnecting = maxConnecting;
    for (int b = 0; b < 256; b++) {
      byte[] p = new byte[payloadBytes];
      for (int k = 0; k < payloadBytes; k++) {
        p[k] = (byte) (b + k);
      }
      payloads[b] = p;
      expected[b] = ConformanceHandler.reversed(p);
    }
    this.selector = Selector.open();
    this.loop = new Thread(this::run, "conn-load loop");
    loop.setDaemon(true);
  }

  /**
   * Starts the loop for connections to 127.0.0.1:{@code port}.
   *
   * @param speak whether each connection plays rr requests (packetstream) or sends nothing (tcp)
   * @param payloadBytes the bytes of each request's payload
   * @param maxConnecting the most connections being opened (and awaiting their first answer) at
   *     once, so that a step does not overrun the server's listen backlog
   */
  static ConnLoad start(int port, boolean speak, int payloadBytes, int maxConnecting)
      throws IOException {
    ConnLoad load = new ConnLoad(port, speak, payloadBytes, maxConnecting);
    load.loop.start();
    return load;
  }

  /**
   * Opens connections until {@code total} have been attempted in all, and waits until each is open
   * (tcp) or has its first request answered (packetstream), or failed. Those still unsettled after
   * {@code timeoutNanos} are closed and counted as errors.
   */
  Counts openUpTo(int total, long timeoutNanos) throws InterruptedException, IOException {
    CompletableFuture<Counts> done = new CompletableFuture<>();
    submit(() -> beginStep(total, done));
    return await(done, timeoutNanos, this::abandonStep);
  }

  /**
   * Runs the active phase: up to {@code count} of the held connections, those opened first, each
   * keep {@code window} requests in flight for {@code durationNanos}; then the answers still to
   * come are awaited up to {@code drainNanos} more, and those that do not come count as errors.
   */
  ActiveResult active(int count, int window, long durationNanos, long drainNanos)
      throws InterruptedException, IOException {
    CompletableFuture<ActiveResult> done = new CompletableFuture<>();
    submit(() -> beginActive(count, window, durationNanos, done));
    return await(done, durationNanos + drainNanos, this::abandonActive);
  }

  /** The figures so far. */
  Counts counts() throws InterruptedException, IOException {
    CompletableFuture<Counts> done = new CompletableFuture<>();
    submit(() -> done.complete(snapshot()));
    return await(done, TimeUnit.SECONDS.toNanos(10), () -> {});
  }

  /** Stops the loop: sends EOF on every packetstream connection, then closes them all. */
  @Override
  public void close() throws InterruptedException {
    submit(() -> stopping = true);
    loop.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  private <T> T await(CompletableFuture<T> done, long timeoutNanos, Runnable onTimeout)
      throws InterruptedException, IOException {
    try {
      try {
        return done.get(timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        submit(onTimeout);
        return done.get(30, TimeUnit.SECONDS);
      }
    } catch (TimeoutException e) {
      throw new IOException("the connection loop does not answer", e);
    } catch (ExecutionException e) {
      throw new IOException("the connection loop failed: " + e.getCause(), e.getCause());
    }
  }

  // ---- the loop

  private void run() {
    try {
      while (!stopping) {
        if (hasWork()) {
          selector.selectNow(this::ready);
        } else {
          long timeoutMillis = 0; // block until woken
          if (active != null) {
            timeoutMillis =
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(active.deadline - System.nanoTime()) + 1);
          }
          selector.select(this::ready, timeoutMillis);
        }
        for (Runnable task; (task = tasks.poll()) != null; ) {
          task.run();
        }
        startMore();
        flushDirty();
        if (active != null) {
          active.checkDeadline();
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      if (step != null) {
        step.completeExceptionally(e);
      }
      if (active != null) {
        active.done.completeExceptionally(e);
      }
      for (Runnable task; (task = tasks.poll()) != null; ) {
        task.run(); // a waiting counts() still gets its answer
      }
    } finally {
      for (Conn c : conns) {
        c.closeWithEof();
      }
      try {
        selector.close();
      } catch (IOException e) {
        // nothing more to release
      }
    }
  }

  private void ready(SelectionKey key) {
    Conn c = (Conn) key.attachment();
    try {
      if (key.isConnectable()) {
        if (!c.channel.finishConnect()) {
          return;
        }
        connected(c);
      }
      if (key.isValid() && key.isReadable()) {
        c.read();
      }
      if (key.isValid() && key.isWritable()) {
        c.flush();
      }
    } catch (IOException e) {
      ended(c);
    }
  }

  /** Whether the loop has something to do before it may block in select. */
  private boolean hasWork() {
    return !dirty.isEmpty()
        || (step != null && (attempted < target ? unsettled < maxConnecting : unsettled == 0))
        || (active != null && active.draining && active.inFlight <= 0);
  }

  private void flushDirty() {
    for (int i = 0; i < dirty.size(); i++) {
      Conn c = dirty.get(i);
      c.dirty = false;
      if (!c.closed) {
        try {
          c.flush();
        } catch (IOException e) {
          ended(c);
        }
      }
    }
    dirty.clear();
  }

  private Counts snapshot() {
    return new Counts(open, answered, connectFailures, wrongAnswers, lost, unanswered);
  }

  // ---- steps

  private void beginStep(int total, CompletableFuture<Counts> done) {
    target = Math.max(total, attempted);
    step = done;
    startMore();
  }

  private void startMore() {
    while (attempted < target && unsettled < maxConnecting) {
      attempted++;
      unsettled++;
      Conn c = new Conn();
      conns.add(c);
      c.connect();
    }
    if (step != null && attempted == target && unsettled == 0) {
      CompletableFuture<Counts> done = step;
      step = null;
      done.complete(snapshot());
    }
  }

  /**
   * The step's time is up: what is still unsettled is closed, and what was never tried is failed.
   */
  private void abandonStep() {
    if (step == null) {
      return;
    }
    for (Conn c : conns) {
      if (!c.settled && !c.closed) {
        if (c.isConnected()) {
          unanswered += c.inFlight;
          c.inFlight = 0;
        } else {
          connectFailures++;
        }
        c.close();
        c.settle();
      }
    }
    connectFailures += target - attempted;
    attempted = target;
    startMore();
  }

  private void connected(Conn c) {
    c.opened = true;
    open++;
    c.key.interestOps(SelectionKey.OP_READ);
    if (speak) {
      c.issue();
    } else {
      c.settle();
    }
  }

  /** The connection failed or ended without our asking: count it, close it, settle it. */
  private void ended(Conn c) {
    if (c.closed) {
      return;
    }
    if (c.isConnected()) {
      lost++;
      unanswered += c.inFlight;
      if (c.activeMember && active != null) {
        active.inFlight -= c.inFlight;
      }
    } else {
      connectFailures++;
    }
    c.inFlight = 0;
    c.activeMember = false;
    c.close();
    if (!c.settled) {
      c.settle();
    }
  }

  // ---- the active phase

  private void beginActive(
      int count, int window, long durationNanos, CompletableFuture<ActiveResult> done) {
    List<Conn> members = new ArrayList<>();
    for (Conn c : conns) {
      if (members.size() == count) {
        break;
      }
      if (c.settled && !c.closed && c.isConnected()) {
        members.add(c);
      }
    }
    long start = System.nanoTime();
    active = new Active(members, window, start, start + durationNanos, done);
    if (members.isEmpty()) {
      active.finish();
      return;
    }
    for (Conn c : members) {
      c.activeMember = true;
      for (int w = 0; w < window; w++) {
        c.issue();
      }
    }
    active.checkDeadline();
  }

  /** The drain's time is up: the answers still to come count as errors and are ignored later. */
  private void abandonActive() {
    if (active == null) {
      return;
    }
    for (Conn c : active.members) {
      if (c.activeMember) {
        unanswered += c.inFlight;
        c.forgetInFlight();
      }
    }
    active.inFlight = 0;
    active.finish();
  }

  /** One active phase: its members, its deadline, its figures. */
  private final class Active {
    final List<Conn> members;
    final long start;
    final long deadline;
    final CompletableFuture<ActiveResult> done;
    final Histogram latencies = new Histogram(MAX_TRACKED_NANOS, 3);
    final long errorsBefore;
    int inFlight;
    long requests;
    long lastAnswer;
    boolean draining;

    Active(
        List<Conn> members,
        int window,
        long start,
        long deadline,
        CompletableFuture<ActiveResult> done) {
      this.members = members;
      this.start = start;
      this.lastAnswer = start;
      this.deadline = deadline;
      this.done = done;
      this.errorsBefore = snapshot().errors();
      for (Conn c : members) {
        c.ensureSlots(window);
      }
    }

    void answer(Conn c, boolean right, long now, long latency) {
      inFlight--;
      lastAnswer = now;
      if (right) {
        requests++;
        latencies.recordValue(Math.min(latency, MAX_TRACKED_NANOS));
      } else {
        wrongAnswers++;
      }
      if (!draining && now < deadline) {
        c.issue();
      }
    }

    void checkDeadline() {
      if (!draining && System.nanoTime() - deadline >= 0) {
        draining = true;
      }
      if (draining && inFlight <= 0) {
        finish();
      }
    }

    void finish() {
      for (Conn c : members) {
        c.activeMember = false;
      }
      active = null;
      done.complete(
          new ActiveResult(
              members.size(),
              requests,
              lastAnswer - start,
              latencies,
              snapshot().errors() - errorsBefore));
    }
  }

  // ---- one connection

  /** One connection: its channel and key, its buffers, and its requests in flight. */
  private final class Conn {
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer in;

    /** Bytes to write, in fill mode (position = end of the data); null until the first request. */
    ByteBuffer out;

    boolean settled;
    boolean closed;
    boolean dirty;
    boolean activeMember;
    long nextTag = FIRST_TAG;

    /** Answers to tags below this were given up on; they are dropped when they come. */
    long forgottenBelow = FIRST_TAG;

    long[] tags = new long[1];
    long[] starts = new long[1];
    int inFlight;

    /**
     * Set once the connection is open, and never cleared: it tells a lost one from a failed one.
     */
    boolean opened;

    boolean isConnected() {
      return opened;
    }

    void connect() {
      try {
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        boolean now = channel.connect(address);
        key =
            channel.register(selector, now ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
        if (now) {
          connected(this);
        }
      } catch (IOException e) {
        ended(this);
      }
    }

    void settle() {
      settled = true;
      unsettled--;
    }

    void ensureSlots(int n) {
      if (tags.length < n) {
        tags = Arrays.copyOf(tags, n);
        starts = Arrays.copyOf(starts, n);
      }
    }

    /** Queues the next request; the loop writes it at the end of this round. */
    void issue() {
      long tag = nextTag++;
      Packet request = Packet.request(0, tag, 0, 0, payloads[(int) (tag & 0xFF)]);
      int length = PacketCodec.frameLength(request);
      if (out == null) {
        out = ByteBuffer.allocate(Math.max(256, 2 * length));
      } else if (out.remaining() < length) {
        out = ByteBuffer.allocate(2 * (out.position() + length)).put(out.flip());
      }
      PacketCodec.encode(request, out);
      ensureSlots(inFlight + 1);
      tags[inFlight] = tag;
      starts[inFlight] = System.nanoTime();
      inFlight++;
      if (active != null && activeMember) {
        active.inFlight++;
      }
      if (!dirty) {
        dirty = true;
        ConnLoad.this.dirty.add(this);
      }
    }

    void flush() throws IOException {
      if (out == null) {
        return;
      }
      out.flip();
      channel.write(out);
      out.compact();
      key.interestOps(
          out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    void read() throws IOException {
      if (in == null) {
        in =
            ByteBuffer.allocate(
                speak
                    ? Math.max(
                        256,
                        2
                            * PacketCodec.frameLength(
                                Packet.response(0, Long.MAX_VALUE, true, 0, payloads[0])))
                    : 256);
      }
      int n = channel.read(in);
      if (n < 0) {
        ended(this);
        return;
      }
      if (!speak) {
        in.clear(); // a tcp connection reads and forgets whatever the server sends
        return;
      }
      in.flip();
      try {
        for (Packet p; !closed && (p = codec.decode(in)) != null; ) {
          received(p);
        }
      } catch (MalformedFrameException e) {
        wrongAnswers++;
        ended(this);
        return;
      }
      if (closed) {
        return;
      }
      in.compact();
      if (!in.hasRemaining()) {
        in = ByteBuffer.allocate(2 * in.capacity()).put(in.flip());
      }
    }

    private void received(Packet p) {
      if (p.request()) {
        if (p.isEof()) {
          ended(this); // the server will send nothing more: the connection is lost to us
        }
        return; // a request to us: this load serves nothing, and the server gets no answer
      }
      long now = System.nanoTime();
      long tag = p.tag();
      int slot = -1;
      for (int i = 0; i < inFlight; i++) {
        if (tags[i] == tag) {
          slot = i;
          break;
        }
      }
      if (slot < 0) {
        if (p.channel() != 0 || tag < FIRST_TAG || tag >= forgottenBelow) {
          wrongAnswers++; // an answer to nothing asked, or asked twice
        }
        return;
      }
      long latency = now - starts[slot];
      inFlight--;
      tags[slot] = tags[inFlight];
      starts[slot] = starts[inFlight];
      boolean right =
          p.channel() == 0 && p.ok() && Arrays.equals(p.payload(), expected[(int) (tag & 0xFF)]);
      if (!settled) {
        if (right) {
          answered++;
        } else {
          wrongAnswers++;
        }
        settle();
      } else if (activeMember && active != null) {
        active.answer(this, right, now, latency);
      } else if (!right) {
        wrongAnswers++;
      }
    }

    /**
     * Drops the requests in flight: their answers, should they come, are neither errors nor
     * counted.
     */
    void forgetInFlight() {
      inFlight = 0;
      forgottenBelow = nextTag;
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (opened) {
        open--;
      }
      if (channel == null) {
        return;
      }
      try {
        channel.close();
      } catch (IOException e) {
        // closed all the same
      }
    }

    /** Ends our side politely: EOF first (packetstream), as far as the socket takes it at once. */
    void closeWithEof() {
      if (closed || channel == null) {
        return;
      }
      if (speak && isConnected()) {
        try {
          if (out == null || out.remaining() < 8) {
            out = ByteBuffer.allocate(8);
          } else {
            out.clear();
          }
          PacketCodec.encode(Packet.EOF, out);
          out.flip();
          channel.write(out);
        } catch (IOException | BufferOverflowException e) {
          // the peer is gone already: closing is all that is left
        }
      }
      close();
    }
  }
}
