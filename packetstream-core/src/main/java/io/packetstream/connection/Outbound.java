package io.packetstream.connection;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * Everything a connection sends goes through here, in order: a queue of packets that is drained
 * into a buffer and written, so that packets queued while a write is under way leave together.
 *
 * <p>Two ways to write, chosen by the transport:
 *
 * <ul>
 *   <li><b>Inline</b> (non-blocking channels, no packet grace): the thread that queues a packet
 *       when nobody is writing becomes the writer and drains the queue itself, without blocking;
 *       bytes the channel does not take now wait in {@code unsent}, and the event loop finishes
 *       them when the channel is writable. During a read batch the loop thread owns the writer, so
 *       the answers it computes leave in one write at the end of the batch, and a {@link
 *       BufferHandler}'s answers are encoded straight into the write buffer. Bytes the channel does
 *       not take stay in the pooled buffer they were encoded in, and while the writer waits for the
 *       channel such answers are encoded behind them, never kept as packets.
 *   <li><b>Threaded</b> (blocking streams, or with a packet grace on a stream): a writer thread of
 *       the transport drains the queue with blocking writes; with a grace it waits that long for
 *       more packets first. With a grace on a channel, a loop timer drains it.
 * </ul>
 *
 * <p>Locks: the monitor guards the queue, the owner flags and the answer count; no I/O and no call
 * out happens under it. One owner at a time writes ({@code owned}); the owner alone touches {@code
 * unsent} and the batch buffer, and while the writer is blocked nobody owns it and the loop thread
 * (which alone unblocks it) may add to {@code unsent}.
 *
 * <p>Accounting: answers (responses) are counted from the moment they are queued until their bytes
 * have been written, as their payload plus {@link #PACKET_OVERHEAD}: the connection holds back new
 * requests of the peer while the count is over its limit.
 */
final class Outbound {

  /**
   * The longest header of a response frame: the frame length (5 bytes), tag, flag word and channel
   * (10 each, as BSUInts).
   */
  private static final int MAX_RESPONSE_HEADER = 35;

  /** The longest batch whose list is kept for the next one. */
  private static final int MAX_SPARE = 1024;

  /** What a queued answer costs beyond its payload: its header and the packet object. */
  static final int PACKET_OVERHEAD = 64;

  /** Offer results. */
  static final int REFUSED = 0;

  static final int QUEUED = 1;
  static final int CLAIMED = 2;

  /** The byte stream under the writer. */
  interface Sink {
    /** Writes what the channel takes now (non-blocking) or everything (blocking). */
    int write(ByteBuffer src) throws IOException;

    /** Non-blocking only: call {@link #writable()} on the loop once the channel takes bytes. */
    void awaitWritable();

    /** Pushes buffered bytes to the peer (streams). */
    void flush() throws IOException;
  }

  /** What the writer tells its connection. */
  interface Events {
    void sent(Packet packet, int bytes);

    void sentDirect(int bytes);

    void flushed();

    /** The answers queued fell back to the limit or under it. */
    void answersDrained();

    /** Everything queued, EOF last, has been written. */
    void finished();

    void failed(Throwable error);
  }

  /** Bytes the channel has not taken yet (read mode), and the answers' count they carry. */
  private static final class Chunk {
    final ByteBuffer bytes;
    final boolean pooled; // a write buffer of the group's: it goes back once written
    long cost;

    Chunk(ByteBuffer bytes, long cost, boolean pooled) {
      this.bytes = bytes;
      this.cost = cost;
      this.pooled = pooled;
    }
  }

  private final Events events;
  private final EventLoopGroup group;
  private final boolean inline;
  private final boolean threaded; // a writer thread of the transport's drains: streams
  private final long graceNanos;
  private final EventLoop loop;
  private final long maxAnswerBytes;
  private Sink sink;

  // guarded by this
  private ArrayList<Packet> queue = new ArrayList<>(4);
  private boolean owned;
  private boolean blocked; // waiting for the channel to take bytes
  private boolean closedToAdds;
  private boolean stopped;
  private boolean eofQueued;
  private boolean finishedTold;
  private boolean graceScheduled;
  private boolean batchOwned;
  private volatile long answerBytes; // written under the monitor, read without it
  private Thread writerThread;

  // the owner's
  private final ArrayDeque<Chunk> unsent = new ArrayDeque<>(2);
  private ArrayList<Packet> spare; // the last batch's list, emptied, to be the next queue
  private ByteBuffer batchBuffer;
  private long batchCost;

  Outbound(
      Events events,
      EventLoopGroup group,
      EventLoop loop,
      boolean nonBlocking,
      long graceNanos,
      long maxAnswerBytes) {
    this.events = events;
    this.group = group;
    this.loop = loop;
    this.graceNanos = graceNanos;
    this.inline = nonBlocking && graceNanos == 0;
    this.threaded = !nonBlocking;
    this.maxAnswerBytes = maxAnswerBytes;
  }

  void sink(Sink sink) {
    this.sink = sink;
  }

  /** Threaded mode: names the transport's writer thread, which {@link #runWriter} runs on. */
  synchronized void writerThread(Thread thread) {
    this.writerThread = thread;
  }

  // ---------------------------------------------------------------- queueing (any thread)

  /** Queues a packet and writes it if nobody else is writing; false if nothing more may go. */
  boolean enqueue(Packet packet) {
    int r = offer(packet);
    if (r == CLAIMED) {
      drain();
    }
    return r != REFUSED;
  }

  /**
   * Queues a packet without writing: may be called under the caller's own locks. On {@link
   * #CLAIMED} the caller must call {@link #drain()} once it holds no lock.
   */
  int offer(Packet packet) {
    boolean schedule = false;
    int result;
    synchronized (this) {
      if (closedToAdds) {
        return REFUSED;
      }
      queue.add(packet);
      if (!packet.request()) {
        answerBytes += cost(packet.payload().length);
      }
      if (inline) {
        if (owned || blocked) {
          return QUEUED;
        }
        owned = true;
        return CLAIMED;
      }
      result = QUEUED;
      if (threaded) {
        // the writer thread drains it, once it runs (a packet queued before it starts waits)
        if (queue.size() == 1) {
          notifyAll();
        }
      } else if (!graceScheduled && !owned && !blocked) {
        graceScheduled = true;
        schedule = true;
      }
    }
    if (schedule) {
      loop.schedule(this::graceFlush, graceNanos);
    }
    return result;
  }

  /** Queues EOF as the last packet; {@link Events#finished()} follows once it is written. */
  void finish() {
    int r;
    synchronized (this) {
      if (closedToAdds) {
        return;
      }
      eofQueued = true;
      r = offer(Packet.EOF);
      closedToAdds = true;
      if (threaded) {
        notifyAll();
      }
    }
    if (r == CLAIMED) {
      drain();
    } else if (!inline && !threaded) {
      loop.execute(this::graceFlush);
    }
  }

  /** Drops everything queued; nothing more is written. */
  void stop() {
    synchronized (this) {
      stopped = true;
      closedToAdds = true;
      queue.clear();
      answerBytes = 0;
      notifyAll();
    }
  }

  /** Bytes of answers queued or not yet written. */
  long answerBytes() {
    return answerBytes;
  }

  /** Whether the answers queued are over the limit. */
  boolean overLimit() {
    return answerBytes() > maxAnswerBytes;
  }

  /** Whether everything queued, EOF included, has been written. */
  synchronized boolean isFinished() {
    return finishedTold;
  }

  // ---------------------------------------------------------------- the loop's read batch

  /**
   * Called by the loop thread before it handles a connection's bytes: it becomes the writer, if
   * nobody else is, until {@link #endBatch}, so that answers computed meanwhile leave together.
   */
  void beginBatch() {
    if (!inline) {
      return;
    }
    synchronized (this) {
      if (owned || blocked || closedToAdds) {
        return;
      }
      owned = true;
      batchOwned = true;
    }
  }

  /** Ends the batch: writes what it gathered. */
  void endBatch() {
    boolean mine;
    synchronized (this) {
      mine = batchOwned;
      batchOwned = false;
    }
    if (mine) {
      drain();
    }
  }

  /**
   * During a batch it owns, or while the writer is blocked (the caller is the loop thread): encodes
   * an answer straight into the write buffer, or behind the bytes the channel has not taken, with
   * no packet object. False when it cannot (another thread writes, or the answer is larger than a
   * write buffer): the caller queues a packet instead.
   */
  boolean answerDirect(long channel, long tag, boolean ok, long resultFlags, ByteBuffer payload)
      throws IOException {
    long cost = cost(payload.remaining());
    boolean behind;
    synchronized (this) {
      // blocked, nobody owns the writer and only the loop thread (the caller) unblocks it: the
      // answer can go behind the bytes the channel did not take
      if (!(batchOwned || blocked) || stopped) {
        return false;
      }
      behind = !batchOwned;
      answerBytes += cost;
    }
    if (behind || !unsent.isEmpty()) {
      // the channel is full: the answer waits behind what it did not take, encoded
      if (!unsent.isEmpty() && appendUnsent(channel, tag, ok, resultFlags, payload, cost)) {
        return true;
      }
      uncount(cost);
      return false;
    }
    if (batchBuffer == null) {
      batchBuffer = group.acquireWriteBuffer();
    }
    if (!fits(batchBuffer, payload) && batchBuffer.position() > 0) {
      // make room: write what the channel takes now
      boolean all = writeBatch(batchBuffer, batchCost, true);
      batchCost = 0;
      if (!all) {
        // the channel is full: the buffer waits in unsent as it is, its answers still counted,
        // first in line, and this answer behind it
        batchBuffer = null;
        if (appendUnsent(channel, tag, ok, resultFlags, payload, cost)) {
          return true;
        }
        uncount(cost);
        return false;
      }
    }
    if (!fits(batchBuffer, payload)) {
      uncount(cost);
      return false; // larger than a write buffer: it goes as a packet
    }
    int size = PacketCodec.encodeResponse(channel, tag, ok, resultFlags, payload, batchBuffer);
    batchCost += cost;
    events.sentDirect(size);
    return true;
  }

  /**
   * Encodes an answer after the last bytes waiting in {@code unsent}, in a pooled write buffer;
   * false if it does not fit one. The caller owns the writer or it is blocked (loop thread).
   */
  private boolean appendUnsent(
      long channel, long tag, boolean ok, long resultFlags, ByteBuffer payload, long cost) {
    Chunk last = unsent.peekLast();
    if (last != null && last.pooled) {
      ByteBuffer b = last.bytes;
      int pos = b.position();
      int lim = b.limit();
      if (pos > 0 && b.capacity() - lim < payload.remaining() + MAX_RESPONSE_HEADER) {
        b.compact().flip(); // the written bytes' room
        pos = 0;
        lim = b.limit();
      }
      b.position(lim).limit(b.capacity());
      if (fits(b, payload)) {
        int size = PacketCodec.encodeResponse(channel, tag, ok, resultFlags, payload, b);
        b.limit(b.position()).position(pos);
        last.cost += cost;
        events.sentDirect(size);
        return true;
      }
      b.limit(lim).position(pos);
    }
    ByteBuffer b = group.acquireWriteBuffer();
    if (!fits(b, payload)) {
      group.release(b);
      return false;
    }
    int size = PacketCodec.encodeResponse(channel, tag, ok, resultFlags, payload, b);
    b.flip();
    unsent.add(new Chunk(b, cost, true));
    events.sentDirect(size);
    return true;
  }

  /**
   * Whether a response with {@code payload} surely fits {@code dst}: checked before encoding, as a
   * full buffer is the common case and an overflow exception per full buffer costs a stack trace.
   */
  private static boolean fits(ByteBuffer dst, ByteBuffer payload) {
    return dst.remaining() >= payload.remaining() + MAX_RESPONSE_HEADER;
  }

  // ---------------------------------------------------------------- writing (the owner)

  /** The channel takes bytes again; on the loop thread. */
  void writable() {
    synchronized (this) {
      if (!blocked || stopped) {
        return;
      }
      blocked = false;
      owned = true;
    }
    drain();
  }

  private void graceFlush() {
    synchronized (this) {
      graceScheduled = false;
      if (owned || blocked || stopped) {
        return;
      }
      owned = true;
    }
    drain();
  }

  /** Threaded mode: the writer thread's loop, until the writer is stopped or has written EOF. */
  void runWriter() {
    try {
      while (true) {
        synchronized (this) {
          while (queue.isEmpty() && !stopped) {
            wait();
          }
          if (stopped) {
            return;
          }
        }
        if (graceNanos > 0 && !isClosedToAdds()) {
          Thread.sleep(graceNanos / 1_000_000, (int) (graceNanos % 1_000_000));
        }
        synchronized (this) {
          if (owned) {
            continue; // never two writers
          }
          owned = true;
        }
        if (!drain() || isFinished()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      stop();
    }
  }

  private synchronized boolean isClosedToAdds() {
    return closedToAdds;
  }

  /**
   * Writes until the queue is empty or the channel is full; the caller owns the writer and gives it
   * up through this. False if writing failed (the connection has been told).
   */
  boolean drain() {
    ByteBuffer buf = batchBuffer;
    long bufCost = batchCost;
    batchBuffer = null;
    batchCost = 0;
    long below = 0; // answers written, to take off the count
    try {
      while (true) {
        if (!unsent.isEmpty() || (buf != null && buf.position() > 0)) {
          boolean all = writeUnsent();
          if (buf != null && buf.position() > 0) {
            // bytes encoded after those the channel did not take wait behind them, in place
            boolean kept = writeBatch(buf, bufCost, all);
            bufCost = 0;
            if (!kept) {
              buf = null;
              all = false;
            }
          }
          if (!all) {
            release(buf);
            buf = null;
            block();
            return true;
          }
        }
        ArrayList<Packet> batch;
        if (!inline && buf != null) {
          sink.flush();
        }
        boolean tell = false;
        synchronized (this) {
          if (queue.isEmpty() || stopped) {
            owned = false;
            tell = eofQueued && !finishedTold && !stopped;
            if (tell) {
              finishedTold = true;
            }
            batch = null;
          } else {
            batch = queue;
            queue = spare != null ? spare : new ArrayList<>(Math.min(16, batch.size()));
            spare = null;
          }
        }
        if (batch == null) {
          release(buf);
          buf = null;
          if (tell) {
            events.finished();
          }
          return true;
        }
        if (buf == null) {
          buf = group.acquireWriteBuffer();
        }
        for (int i = 0, n = batch.size(); i < n; i++) {
          Packet p = batch.get(i);
          int size = PacketCodec.frameLength(p);
          long cost = p.request() ? 0 : cost(p.payload().length);
          if (size > buf.remaining() && buf.position() > 0) {
            boolean all = writeBatch(buf, bufCost, true);
            bufCost = 0;
            if (!all) {
              buf = null; // it waits in unsent now
              putBack(batch, i);
              break;
            }
          }
          if (size > buf.capacity()) {
            // too big to buffer: the header from the buffer, the payload from the packet's array
            PacketCodec.encodeHeader(p, buf);
            buf.flip();
            boolean all = writeOut(buf, 0, true);
            buf.clear();
            ByteBuffer body = ByteBuffer.wrap(p.payload());
            if (all) {
              all = writeOut(body, cost, false);
            } else {
              unsent.add(new Chunk(body, cost, false));
            }
            events.sent(p, size);
            if (!all) {
              putBack(batch, i + 1);
              break;
            }
            continue;
          }
          PacketCodec.encode(p, buf);
          bufCost += cost;
          events.sent(p, size);
        }
        // the next batch reuses the list rather than growing a new one; what putBack kept of it
        // was copied
        if (batch.size() <= MAX_SPARE) {
          batch.clear();
          spare = batch;
        }
      }
    } catch (Throwable t) {
      release(buf);
      synchronized (this) {
        owned = false;
      }
      stop();
      events.failed(t);
      return false;
    }
  }

  /**
   * Writes the batch buffer {@code buf} (write mode), if {@code write}, else only queues it. True
   * if the channel took it all: {@code buf} is cleared for more. False if bytes are left: the
   * buffer itself waits in {@code unsent}, no longer the caller's.
   */
  private boolean writeBatch(ByteBuffer buf, long cost, boolean write) throws IOException {
    buf.flip();
    while (write && buf.hasRemaining()) {
      if (sink.write(buf) == 0) {
        break;
      }
    }
    if (!buf.hasRemaining()) {
      buf.clear();
      events.flushed();
      written(cost);
      return true;
    }
    unsent.add(new Chunk(buf, cost, true));
    return false;
  }

  /** Writes {@code bytes}; what the channel does not take now waits in {@code unsent}. */
  private boolean writeOut(ByteBuffer bytes, long cost, boolean copy) throws IOException {
    while (bytes.hasRemaining()) {
      if (sink.write(bytes) == 0) {
        ByteBuffer rest = bytes;
        if (copy) {
          rest = ByteBuffer.allocate(bytes.remaining());
          rest.put(bytes).flip();
        }
        unsent.add(new Chunk(rest, cost, false));
        return false;
      }
    }
    events.flushed();
    written(cost);
    return true;
  }

  private boolean writeUnsent() throws IOException {
    Chunk c;
    while ((c = unsent.peek()) != null) {
      while (c.bytes.hasRemaining()) {
        if (sink.write(c.bytes) == 0) {
          return false;
        }
      }
      unsent.poll();
      if (c.pooled) {
        group.release(c.bytes);
      }
      events.flushed();
      written(c.cost);
    }
    return true;
  }

  private void putBack(ArrayList<Packet> batch, int from) {
    if (from >= batch.size()) {
      return;
    }
    synchronized (this) {
      if (stopped) {
        return;
      }
      ArrayList<Packet> front = new ArrayList<>(batch.subList(from, batch.size()));
      front.addAll(queue);
      queue = front;
    }
  }

  private void block() {
    synchronized (this) {
      owned = false;
      if (stopped) {
        return;
      }
      blocked = true;
    }
    sink.awaitWritable();
  }

  private void release(ByteBuffer buf) {
    if (buf != null) {
      group.release(buf);
    }
  }

  private void written(long cost) {
    if (cost == 0) {
      return;
    }
    boolean drained;
    synchronized (this) {
      if (stopped) {
        return;
      }
      long before = answerBytes;
      answerBytes = before - cost;
      drained = before > maxAnswerBytes && answerBytes <= maxAnswerBytes;
    }
    if (drained) {
      events.answersDrained();
    }
  }

  private void uncount(long cost) {
    written(cost);
  }

  private static long cost(int payloadBytes) {
    return (long) payloadBytes + PACKET_OVERHEAD;
  }
}
