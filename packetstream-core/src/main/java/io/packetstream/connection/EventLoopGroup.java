package io.packetstream.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The I/O threads that serve socket-channel and pipe connections: a small, fixed set of event
 * loops, each multiplexing many connections, so that a connection costs no thread while it is idle.
 * Every connection of a JVM shares {@link #shared()} unless its builder names another group.
 *
 * <p>The group also holds the budget for buffered inbound bytes: the partial frames its connections
 * hold beyond one buffer each, and the payloads of the peers' requests waiting or running. Past
 * {@link #maxBufferedInboundBytes()} its connections stop reading until requests finish, so TCP
 * holds the peers back instead of the heap growing.
 */
public final class EventLoopGroup implements AutoCloseable {

  /** The size of each loop's read buffer and of the group's write buffers: 64 KiB. */
  static final int IO_BUFFER_SIZE = 64 * 1024;

  private static final AtomicInteger GROUPS = new AtomicInteger();

  private final EventLoop[] loops;
  private final AtomicInteger next = new AtomicInteger();
  private final InboundBudget budget;
  private final ConcurrentLinkedQueue<ByteBuffer> writeBuffers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pooledWriteBuffers = new AtomicInteger();
  private final AtomicLong connections = new AtomicLong();
  private final boolean shared;
  private final String name;
  private volatile boolean closed;

  private EventLoopGroup(String name, int threads, long maxBufferedInboundBytes, boolean shared) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " is below 1");
    }
    if (maxBufferedInboundBytes < IO_BUFFER_SIZE) {
      throw new IllegalArgumentException(
          "maxBufferedInboundBytes " + maxBufferedInboundBytes + " is below " + IO_BUFFER_SIZE);
    }
    this.shared = shared;
    this.budget = new InboundBudget(maxBufferedInboundBytes);
    String prefix = name != null ? name : "packetstream-io-" + GROUPS.incrementAndGet();
    this.name = prefix;
    loops = new EventLoop[threads];
    try {
      for (int i = 0; i < threads; i++) {
        loops[i] = new EventLoop(this, prefix + "-" + (i + 1), IO_BUFFER_SIZE);
      }
    } catch (IOException e) {
      for (EventLoop loop : loops) {
        if (loop != null) {
          loop.close();
        }
      }
      throw new UncheckedIOException("cannot open a selector", e);
    }
    for (EventLoop loop : loops) {
      loop.start();
    }
  }

  /**
   * The group every connection uses by default: as many loops as the JVM has processors (or the
   * system property {@code packetstream.ioThreads}), daemon threads, started on first use and never
   * closed; a budget of a quarter of the heap (or {@code packetstream.maxBufferedInboundBytes}).
   */
  public static EventLoopGroup shared() {
    return Shared.INSTANCE;
  }

  /**
   * A group of its own with {@code threads} loops and a budget of {@code maxBufferedInboundBytes}
   * (at least 64 KiB); {@link #close()} it when its connections are done.
   */
  public static EventLoopGroup create(int threads, long maxBufferedInboundBytes) {
    return new EventLoopGroup(null, threads, maxBufferedInboundBytes, false);
  }

  /**
   * A group of its own whose threads are called {@code name-1}, {@code name-2}, ..., with the
   * default budget.
   */
  public static EventLoopGroup create(String name, int threads) {
    return new EventLoopGroup(
        java.util.Objects.requireNonNull(name, "name"), threads, defaultBudget(), false);
  }

  /** A group of its own with {@code threads} loops and the default budget. */
  public static EventLoopGroup create(int threads) {
    return create(threads, defaultBudget());
  }

  /**
   * Whether the current thread is an event loop thread of any group, where a blocking call would
   * stall every connection of that loop (or wait for itself).
   */
  public static boolean inEventLoop() {
    return EventLoop.onAnyLoop();
  }

  /** How many I/O threads the group runs. */
  public int threads() {
    return loops.length;
  }

  /** The most inbound bytes the group's connections buffer before they stop reading. */
  public long maxBufferedInboundBytes() {
    return budget.limit();
  }

  /** The inbound bytes its connections buffer now (partial frames and requests' payloads). */
  public long bufferedInboundBytes() {
    return budget.used();
  }

  /** The connections the group serves now. */
  public long connections() {
    return connections.get();
  }

  /**
   * Stops the group's threads; every connection still using the group ends as failed, saying that
   * the group is closed (those over streams too, which take their timers from it), and no
   * connection can open on the group afterwards. It does not wait for them: see each connection's
   * {@link PacketConnection#termination()}. The {@link #shared()} group cannot be closed.
   *
   * @throws IllegalStateException for the shared group
   */
  @Override
  public void close() {
    if (shared) {
      throw new IllegalStateException("the shared event loop group cannot be closed");
    }
    closed = true;
    for (EventLoop loop : loops) {
      loop.close();
    }
  }

  @Override
  public String toString() {
    return "EventLoopGroup["
        + name
        + ", "
        + loops.length
        + " threads, "
        + connections.get()
        + " connections]";
  }

  EventLoop next() {
    if (closed) {
      throw new IllegalStateException(
          "event loop group " + name + " is closed: no connection can open on it");
    }
    return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
  }

  boolean isShared() {
    return shared;
  }

  /** What a connection that used the group fails with once the group is closed. */
  java.nio.channels.ClosedChannelException closedError() {
    return new GroupClosedException(
        "event loop group " + name + " is closed: its connections end with it");
  }

  /** A {@link java.nio.channels.ClosedChannelException} that says which group closed. */
  private static final class GroupClosedException extends java.nio.channels.ClosedChannelException {
    private final String message;

    GroupClosedException(String message) {
      this.message = message;
    }

    @Override
    public String getMessage() {
      return message;
    }
  }

  InboundBudget budget() {
    return budget;
  }

  void connectionOpened() {
    connections.incrementAndGet();
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  /**
   * A direct buffer of {@link #IO_BUFFER_SIZE} to encode into; give it back with {@link #release}.
   */
  ByteBuffer acquireWriteBuffer() {
    ByteBuffer b = writeBuffers.poll();
    if (b == null) {
      return ByteBuffer.allocateDirect(IO_BUFFER_SIZE);
    }
    pooledWriteBuffers.decrementAndGet();
    return b;
  }

  void release(ByteBuffer buffer) {
    // keep a few per thread; the rest go to the garbage collector
    if (pooledWriteBuffers.incrementAndGet() <= 4 * loops.length + 8) {
      buffer.clear();
      writeBuffers.add(buffer);
    } else {
      pooledWriteBuffers.decrementAndGet();
    }
  }

  private static long defaultBudget() {
    long fromProperty = Long.getLong("packetstream.maxBufferedInboundBytes", 0);
    if (fromProperty > 0) {
      return Math.max(IO_BUFFER_SIZE, fromProperty);
    }
    return Math.max(16L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
  }

  private static final class Shared {
    static final EventLoopGroup INSTANCE =
        new EventLoopGroup(
            "packetstream-io",
            Math.max(
                1,
                Integer.getInteger(
                    "packetstream.ioThreads", Runtime.getRuntime().availableProcessors())),
            defaultBudget(),
            true);
  }
}
