package io.packetstream.connection;

import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.Packet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The single writer of a connection: drains a queue of packets into one buffer and writes it to
 * the transport when the queue runs dry (or after the packet grace, when one is set), so that a
 * burst of packets leaves in one write.
 *
 * <p>Any thread may {@link #enqueue}; only the writer's own thread touches the buffer and the
 * transport's output. The queue is a list swapped out whole under the monitor, so producers hold
 * it for one {@code add}. The writer parks when it has nothing to do; a producer that finds it
 * {@code waiting} unparks it.
 */
final class PacketWriter implements Runnable {

  private final PacketConnection connection;
  private final Transport transport;
  private final long graceNanos;
  private final int bufferSize;
  private final CountDownLatch done = new CountDownLatch(1);

  // guarded by this
  private ArrayList<Packet> queue = new ArrayList<>();
  private boolean waiting;
  private boolean finishing;
  private boolean stopped;

  private volatile Thread thread;

  PacketWriter(PacketConnection connection, Transport transport, long graceNanos, int bufferSize) {
    this.connection = connection;
    this.transport = transport;
    this.graceNanos = graceNanos;
    this.bufferSize = bufferSize;
  }

  /** Queues a packet; false if the writer is finishing or stopped and the packet will not go. */
  boolean enqueue(Packet packet) {
    Thread wake;
    synchronized (this) {
      if (finishing || stopped) {
        return false;
      }
      queue.add(packet);
      if (!waiting) {
        return true;
      }
      waiting = false;
      wake = thread;
    }
    LockSupport.unpark(wake);
    return true;
  }

  /** Writes what is queued, flushes, and ends; nothing more is accepted. */
  void finish() {
    Thread wake;
    synchronized (this) {
      finishing = true;
      wake = thread;
    }
    LockSupport.unpark(wake);
  }

  /** Ends at once, dropping whatever is queued. */
  void abort() {
    Thread wake;
    synchronized (this) {
      stopped = true;
      queue.clear();
      wake = thread;
    }
    LockSupport.unpark(wake);
  }

  /** Waits up to {@code nanos} for the writer to end; true if it did. */
  boolean await(long nanos) throws InterruptedException {
    return done.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    ByteBuffer out = ByteBuffer.allocate(bufferSize);
    ArrayList<Packet> batch = new ArrayList<>();
    boolean graceSpent = false;
    try {
      while (true) {
        boolean finish;
        synchronized (this) {
          if (stopped) {
            return;
          }
          ArrayList<Packet> swap = queue;
          queue = batch;
          batch = swap;
          waiting = false;
          finish = finishing;
        }
        if (!batch.isEmpty()) {
          for (int i = 0, n = batch.size(); i < n; i++) {
            encode(batch.get(i), out);
          }
          batch.clear();
          graceSpent = false;
          continue;
        }
        if (out.position() > 0) {
          if (graceNanos > 0 && !graceSpent && !finish) {
            graceSpent = true;
            park(graceNanos);
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
        park(0);
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        stopped = true;
        queue.clear();
      }
      connection.writerFailed(e);
    } finally {
      done.countDown();
    }
  }

  private void park(long nanos) {
    synchronized (this) {
      if (!queue.isEmpty() || finishing || stopped) {
        return;
      }
      waiting = true;
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
      out.position(PacketCodec.encodeHeader(p, out.array(), 0));
      writeOut(out);
      transport.write(ByteBuffer.wrap(p.payload()));
    } else {
      out.position(PacketCodec.encode(p, out.array(), out.position()));
    }
    connection.sent(p, size);
  }

  private void writeOut(ByteBuffer out) throws IOException {
    if (out.position() > 0) {
      out.flip();
      transport.write(out);
      out.clear();
    }
  }
}
