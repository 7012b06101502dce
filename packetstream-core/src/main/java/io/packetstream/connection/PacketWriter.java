package io.packetstream.connection;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Everything a connection sends goes through here, in order: a queue of packets drained into one
 * buffer and written when the queue runs dry (or after the packet grace, when one is set), so that
 * a burst of packets leaves in one write.
 *
 * <p>Two threads may write, never at once. The writer thread drains the queue whenever it is
 * woken. The connection's reader thread, when the transport can write without blocking and there
 * is no grace, writes what it queued itself at the end of each read ({@link #flushInline}) if the
 * writer thread is idle: an answer computed on the reader thread then leaves without waking
 * another thread. Bytes it cannot write without blocking go to the writer thread, first in line.
 *
 * <p>The monitor guards the queue and the ownership flags; no I/O happens under it. Any thread
 * may {@link #enqueue}; producers hold the monitor for one {@code add}.
 *
 * <p>Back-pressure: the writer counts the bytes of the answers (responses) queued or being
 * written. Above {@code maxQueuedAnswerBytes} the reader thread, which admits the peer's
 * requests, {@linkplain #awaitRoom waits} until the count is back under the limit, so a peer
 * that sends requests and never reads the answers is stopped by TCP instead of growing the queue.
 * Only answers count: this end's own requests must never stop it from reading the peer's answers
 * to them. A packet's cost is its payload plus {@link #PACKET_OVERHEAD}, computed the same way
 * when it is queued and when it is written.
 */
final class PacketWriter implements Runnable {

  private final PacketConnection connection;
  private final Transport transport;
  private final long graceNanos;
  private final int bufferSize;
  private final boolean inlineCapable;
  private final CountDownLatch done = new CountDownLatch(1);

  // guarded by this
  private ArrayList<Packet> queue = new ArrayList<>();
  private boolean waiting; // the writer thread is parked or about to park
  private boolean idle; // ... and its buffer is empty, so another thread may write
  private boolean inline; // the reader thread is writing: the writer thread must not
  private ByteBuffer leftover; // bytes the reader thread could not write without blocking
  private boolean finishing;
  private boolean stopped;
  private boolean throttled; // the reader thread waits in awaitRoom
  private volatile long answerBytes; // written under the monitor; read by the reader without it

  /** Frames up to this size are encoded into a scratch array and copied in one piece. */
  private static final int SCRATCH = 512;

  /** What a queued packet costs beyond its payload: its header and the packet object. */
  static final int PACKET_OVERHEAD = 64;

  private final long maxAnswerBytes;

  private volatile Thread thread;
  private volatile Thread reader;
  private ByteBuffer inlineBuffer; // the reader thread's own
  private boolean directOwned; // the reader thread's own: it holds inline for answerInline
  private ArrayList<Packet> spareBatch; // the reader thread's own: the next queue after a swap
  private byte[] inlineScratch; // the reader thread's own
  private final byte[] scratch = new byte[SCRATCH]; // the writer thread's own

  PacketWriter(PacketConnection connection, Transport transport, long graceNanos, int bufferSize,
      long maxAnswerBytes) {
    this.connection = connection;
    this.maxAnswerBytes = maxAnswerBytes;
    this.transport = transport;
    this.graceNanos = graceNanos;
    this.bufferSize = bufferSize;
    this.inlineCapable = graceNanos == 0 && transport.canWriteWithoutBlocking();
  }

  /** Names the connection's reader thread, whose packets {@link #flushInline} may write. */
  void readerThread(Thread reader) {
    this.reader = reader;
  }

  /** Queues a packet; false if the writer is finishing or stopped and the packet will not go. */
  boolean enqueue(Packet packet) {
    Thread wake;
    synchronized (this) {
      if (finishing || stopped) {
        return false;
      }
      queue.add(packet);
      if (!packet.request()) {
        answerBytes += cost(packet);
      }
      if (!waiting || inline || (inlineCapable && idle && Thread.currentThread() == reader)) {
        // the writer is busy, or the reader's own flushInline will write it
        return true;
      }
      waiting = false;
      idle = false;
      wake = thread;
    }
    LockSupport.unpark(wake);
    return true;
  }

  /**
   * Called by the reader thread after each read: writes what is queued, if the writer thread is
   * idle, without blocking; hands any rest to the writer thread.
   */
  void flushInline() {
    if (!inlineCapable) {
      return;
    }
    boolean owned = directOwned;
    directOwned = false;
    ArrayList<Packet> batch;
    long taken;
    synchronized (this) {
      if (owned) {
        if (stopped) {
          inline = false;
          inlineBuffer.clear();
          return;
        }
      } else {
        if (queue.isEmpty() || !idle || inline || finishing || stopped) {
          return;
        }
        inline = true;
      }
      batch = queue;
      queue = spareBatch != null ? spareBatch : new ArrayList<>();
      spareBatch = null;
      taken = answerBytes; // every counted answer is in this batch: nobody else holds one
    }
    if (inlineBuffer == null) {
      allocateInline();
    }
    ByteBuffer out = inlineBuffer;
    List<Packet> rest = List.of();
    ByteBuffer unwritten = null;
    try {
      for (int i = 0, n = batch.size(); i < n; i++) {
        Packet p = batch.get(i);
        int size = PacketCodec.frameLength(p);
        if (size > out.remaining()) {
          out.flip();
          boolean all = transport.tryWrite(out);
          if (!all || size > out.capacity()) {
            unwritten = copyRemaining(out);
            rest = batch.subList(i, n);
            break;
          }
          out.clear();
        }
        put(p, size, out, inlineScratch);
        connection.sent(p, size);
      }
      if (unwritten == null) {
        out.flip();
        if (!transport.tryWrite(out)) {
          unwritten = copyRemaining(out);
        }
        connection.flushed();
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        inline = false;
        stop();
      }
      connection.writerFailed(e);
      return;
    } finally {
      out.clear();
    }
    Thread wake = null;
    synchronized (this) {
      inline = false;
      if (!rest.isEmpty()) {
        ArrayList<Packet> front = new ArrayList<>(rest);
        front.addAll(queue);
        queue = front;
        for (int i = 0, n = rest.size(); i < n; i++) {
          if (!rest.get(i).request()) {
            taken -= cost(rest.get(i)); // still queued
          }
        }
      }
      written(taken);
      leftover = unwritten;
      if (waiting && (leftover != null || !queue.isEmpty() || finishing || stopped)) {
        waiting = false;
        idle = false;
        wake = thread;
      }
    }
    if (rest.isEmpty()) {
      batch.clear();
      spareBatch = batch;
    }
    LockSupport.unpark(wake);
  }

  private void allocateInline() {
    inlineBuffer = transport.allocate(bufferSize);
    inlineScratch = new byte[SCRATCH];
  }

  /**
   * Called by the reader thread: encodes a response straight into its own buffer, which
   * {@link #flushInline} writes at the end of the read, with no packet object. False when it
   * cannot (the writer thread is busy, or the frame does not fit): the caller then queues a
   * packet as usual.
   *
   * @throws IOException if writing out a full buffer failed; the connection has been told
   */
  boolean answerInline(long channel, long tag, boolean ok, long resultFlags, ByteBuffer payload)
      throws IOException {
    if (!inlineCapable) {
      return false;
    }
    if (!directOwned) {
      synchronized (this) {
        if (!idle || inline || finishing || stopped) {
          return false;
        }
        inline = true;
      }
      directOwned = true;
      if (inlineBuffer == null) {
        allocateInline();
      }
    }
    ByteBuffer out = inlineBuffer;
    for (int attempt = 0; ; attempt++) {
      try {
        int size = PacketCodec.encodeResponse(channel, tag, ok, resultFlags, payload, out);
        connection.sentDirect(size);
        return true;
      } catch (java.nio.BufferOverflowException full) {
        if (attempt > 0 || out.position() == 0) {
          return false;
        }
        // make room: write what is buffered, keeping any part the socket does not take now
        out.flip();
        try {
          transport.tryWrite(out);
        } catch (IOException e) {
          connection.writerFailed(e);
          throw e;
        } finally {
          out.compact();
        }
      }
    }
  }

  private static ByteBuffer copyRemaining(ByteBuffer out) {
    ByteBuffer copy = ByteBuffer.allocate(out.remaining());
    copy.put(out).flip();
    return copy;
  }

  /** Writes what is queued, flushes, and ends; nothing more is accepted. */
  void finish() {
    Thread wake;
    synchronized (this) {
      finishing = true;
      waiting = false;
      idle = false;
      wake = thread;
    }
    LockSupport.unpark(wake);
  }

  /** Ends at once, dropping whatever is queued. */
  void abort() {
    Thread wake;
    synchronized (this) {
      stop();
      leftover = null;
      wake = thread;
    }
    LockSupport.unpark(wake);
  }

  /** Under the monitor: nothing more is written; a throttled reader goes on. */
  private void stop() {
    stopped = true;
    queue.clear();
    answerBytes = 0;
    notifyAll();
  }

  /** Under the monitor: {@code bytes} of answers have left the queue. */
  private void written(long bytes) {
    if (bytes != 0 && !stopped) {
      long left = answerBytes - bytes;
      answerBytes = left;
      if (throttled && left <= maxAnswerBytes) {
        notifyAll();
      }
    }
  }

  private static long cost(Packet p) {
    return (long) p.payload().length + PACKET_OVERHEAD;
  }

  /** The bytes of answers queued or being written; see the class comment. */
  long queuedAnswerBytes() {
    return answerBytes;
  }

  /** Whether the answers queued are over the limit: the reader should {@link #awaitRoom}. */
  boolean overLimit() {
    return answerBytes > maxAnswerBytes;
  }

  /**
   * Called by the reader thread, after {@link #flushInline}, when {@link #overLimit}: waits until
   * the answers queued are back under the limit or the writer stops.
   *
   * @throws InterruptedException if the reader is interrupted (an abort over streams)
   */
  void awaitRoom() throws InterruptedException {
    Thread wake = null;
    synchronized (this) {
      if (waiting && !inline && (!queue.isEmpty() || leftover != null)) {
        // the reader queued answers for its own flushInline and then did not write them all
        waiting = false;
        idle = false;
        wake = thread;
      }
    }
    LockSupport.unpark(wake);
    synchronized (this) {
      throttled = true;
      try {
        while (answerBytes > maxAnswerBytes && !stopped) {
          wait();
        }
      } finally {
        throttled = false;
      }
    }
  }

  /** Waits up to {@code nanos} for the writer to end; true if it did. */
  boolean await(long nanos) throws InterruptedException {
    return done.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    ByteBuffer out = transport.allocate(bufferSize);
    ArrayList<Packet> batch = new ArrayList<>();
    long taken = 0;
    boolean graceSpent = false;
    try {
      while (true) {
        boolean finish;
        ByteBuffer first;
        synchronized (this) {
          if (stopped) {
            return;
          }
          if (inline) {
            // the reader thread is writing; it wakes us when it is done
            waiting = true;
            idle = out.position() == 0;
            finish = false;
            first = null;
          } else {
            ArrayList<Packet> swap = queue;
            queue = batch;
            batch = swap;
            taken = answerBytes;
            first = leftover;
            leftover = null;
            waiting = false;
            idle = false;
            finish = finishing;
          }
        }
        if (first == null && batch.isEmpty() && waiting) {
          LockSupport.park(this);
          continue;
        }
        if (first != null) {
          transport.write(first);
        }
        if (!batch.isEmpty()) {
          for (int i = 0, n = batch.size(); i < n; i++) {
            encode(batch.get(i), out);
          }
          batch.clear();
          if (taken != 0) {
            synchronized (this) {
              written(taken);
            }
          }
          graceSpent = false;
          continue;
        }
        if (out.position() > 0) {
          if (graceNanos > 0 && !graceSpent && !finish) {
            graceSpent = true;
            park(graceNanos, false);
          } else {
            writeOut(out);
            transport.flush();
            connection.flushed();
          }
          continue;
        }
        if (finish) {
          return;
        }
        park(0, true);
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        stop();
      }
      connection.writerFailed(e);
    } finally {
      done.countDown();
    }
  }

  private void park(long nanos, boolean bufferEmpty) {
    synchronized (this) {
      if (!queue.isEmpty() || leftover != null || finishing || stopped) {
        return;
      }
      waiting = true;
      idle = bufferEmpty;
    }
    if (nanos > 0) {
      LockSupport.parkNanos(this, nanos);
    } else {
      LockSupport.park(this);
    }
  }

  private void encode(Packet p, ByteBuffer out) throws IOException {
    int size = PacketCodec.frameLength(p);
    if (size > out.remaining()) {
      writeOut(out);
    }
    if (size > out.capacity()) {
      // too big to buffer: send the header from the buffer, the payload from the packet's array
      PacketCodec.encodeHeader(p, out);
      writeOut(out);
      transport.write(ByteBuffer.wrap(p.payload()));
    } else {
      put(p, size, out, scratch);
    }
    connection.sent(p, size);
  }

  /**
   * Encodes a frame that fits into {@code out}. A direct buffer takes bytes one call at a time,
   * so a small frame is built in a scratch array first and copied in one piece.
   */
  private static void put(Packet p, int size, ByteBuffer out, byte[] scratch) {
    if (out.hasArray()) {
      out.position(PacketCodec.encode(p, out.array(), out.arrayOffset() + out.position()) - out.arrayOffset());
    } else if (size <= scratch.length) {
      PacketCodec.encode(p, scratch, 0);
      out.put(scratch, 0, size);
    } else {
      out.put(scratch, 0, PacketCodec.encodeHeader(p, scratch, 0));
      out.put(p.payload());
    }
  }

  private void writeOut(ByteBuffer out) throws IOException {
    if (out.position() > 0) {
      out.flip();
      transport.write(out);
      out.clear();
    }
  }
}
