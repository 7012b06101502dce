package io.packetstream.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One I/O thread of an {@link EventLoopGroup}: a selector that multiplexes many connections'
 * channels, a queue of tasks, and timers.
 *
 * <p>Threads: the loop's own thread alone selects, runs tasks and timers, and calls the {@link
 * Ready} handlers of its keys. Any thread may {@link #execute} a task or {@link #schedule} a timer;
 * both wake the selector when called from another thread. Nothing the loop runs may block: a
 * handler or task that waits stalls every connection of the loop. Any {@link Throwable} from a
 * handler goes to that handler's {@link Ready#failed} and never ends the loop; one from a task or
 * timer is logged.
 *
 * <p>Read spin: when connections of this loop asked for one ({@link #spin}), a loop whose last
 * wake-up came quickly polls its selector without sleeping for that long before it blocks, so that
 * the bytes of a busy connection are taken without waking a sleeping thread. {@link ReadSpin}
 * decides when, and caps how many loops of the JVM spin at once.
 *
 * <p>Ending: when its group closes, the loop fails every connection that uses it (those with a
 * selection key, and those over streams {@linkplain #attach attached} for their timers), then ends.
 * Tasks and timers given to it afterwards run on their caller at once, so that nothing waits for
 * it; a timer set while such a timer runs is dropped, so that one that sets itself again runs once
 * instead of nesting until the stack overflows.
 */
final class EventLoop implements Runnable {

  private static final System.Logger LOG = Loggers.of(EventLoop.class);
  private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();

  /** Set while the current thread runs a timer of an ended loop. */
  private static final ThreadLocal<Boolean> RUNNING_LATE_TIMER = new ThreadLocal<>();

  /** What a channel registered with the loop wants done when it is ready. */
  interface Ready {
    /** The key's channel is ready for the operations in {@code readyOps}; on the loop thread. */
    void ready(int readyOps) throws IOException;

    /** {@link #ready} threw; the handler ends its connection. */
    void failed(Throwable error);
  }

  /** A task that runs once, after a delay, on the loop thread; {@link #cancel()} to drop it. */
  static final class Timer implements Comparable<Timer> {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    final long deadline;

    /**
     * Dropped on cancel: a cancelled timer waits in the queue until its deadline, its task need
     * not.
     */
    volatile Runnable task;

    private final long order = SEQUENCE.incrementAndGet();
    private volatile boolean cancelled;

    Timer(long deadline, Runnable task) {
      this.deadline = deadline;
      this.task = task;
    }

    void cancel() {
      cancelled = true;
      task = null;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(deadline - o.deadline, 0);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  private final EventLoopGroup group;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean awake = new AtomicBoolean();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(); // loop thread only
  private final ByteBuffer readBuffer;
  private ByteBuffer answerBuffer; // loop thread only
  private DeferredFinishes deferredFinishes; // loop thread only
  private volatile boolean closed;
  private volatile boolean ended; // the loop thread has finished: tasks run on their caller
  // the connections over streams that take their timers from the loop; guarded by itself
  private final java.util.Set<PacketConnection> attached = new java.util.HashSet<>();
  private boolean ending; // guarded by attached: no more connections are attached
  private boolean interruptSeen; // the loop thread only
  private volatile long spinNanos;
  private final java.util.TreeMap<Long, Integer> spins = new java.util.TreeMap<>(); // loop thread
  private ReadSpin readSpin = new ReadSpin(java.time.Duration.ZERO);

  EventLoop(EventLoopGroup group, String name, int readBufferSize) throws IOException {
    this.group = group;
    this.selector = Selector.open();
    this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
    this.thread = new Thread(this, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  EventLoopGroup group() {
    return group;
  }

  /** Whether the current thread is any event loop's: it must never block. */
  static boolean onAnyLoop() {
    return CURRENT.get() != null;
  }

  /** Whether the loop's thread has finished (its group closed): tasks then run on their caller. */
  boolean ended() {
    return ended;
  }

  /** Whether the current thread is this loop's. */
  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** The loop's read buffer, shared by all its connections; loop thread only. */
  ByteBuffer readBuffer() {
    return readBuffer;
  }

  /** The loop's {@link DeferredFinishes}, made on first use; loop thread only. */
  DeferredFinishes deferredFinishes() {
    if (deferredFinishes == null) {
      deferredFinishes = new DeferredFinishes();
    }
    return deferredFinishes;
  }

  /**
   * The loop's answer buffer for {@link BufferHandler}s, cleared, with {@code size} bytes of room;
   * loop thread only, valid until the loop answers the next request.
   */
  ByteBuffer answerBuffer(int size) {
    if (answerBuffer == null || answerBuffer.capacity() < size) {
      answerBuffer = ByteBuffer.allocate(size);
    }
    answerBuffer.clear().limit(size);
    return answerBuffer;
  }

  /** Runs {@code task} on the loop thread, after the tasks already queued. */
  void execute(Runnable task) {
    if (ended) {
      runSafely(task); // the loop is gone: nothing may wait for it
      return;
    }
    tasks.add(task);
    if (!inLoop() && awake.compareAndSet(false, true)) {
      selector.wakeup();
    }
    if (ended) {
      drainTasksAfterClose();
    }
  }

  /**
   * Runs {@code task} on the loop thread after {@code delayNanos}; once the loop has ended, at once
   * on the caller, or not at all when set by such a late timer ({@link #runLate}).
   */
  Timer schedule(Runnable task, long delayNanos) {
    Timer timer = new Timer(System.nanoTime() + Math.max(0, delayNanos), task);
    if (ended) {
      runLate(timer); // no loop to wait on: now rather than never
      return timer;
    }
    if (inLoop()) {
      timers.add(timer);
    } else {
      // the loop may end before it takes the timer: then the timer goes as one set after the end
      execute(
          () -> {
            if (ended) {
              runLate(timer);
            } else {
              timers.add(timer);
            }
          });
    }
    return timer;
  }

  /**
   * Registers {@code channel} for {@code ops} with {@code handler}; on the loop thread.
   *
   * @throws ClosedChannelException if the channel or the loop's group was closed meanwhile
   */
  SelectionKey register(SelectableChannel channel, int ops, Ready handler) throws IOException {
    if (closed) {
      throw group.closedError();
    }
    return channel.register(selector, ops, handler);
  }

  /**
   * Keeps {@code connection}, which reads and writes on threads of its own and takes only its
   * timers from this loop, until it ends, so that it ends as failed when the loop ends, as the
   * connections with a selection key do. Attached as the loop ends, it fails at once. The {@link
   * EventLoopGroup#shared()} group never closes: its loops keep none.
   */
  void attach(PacketConnection connection) {
    if (group.isShared()) {
      return;
    }
    synchronized (attached) {
      if (!ending) {
        attached.add(connection);
        connection
            .termination()
            .whenComplete(
                (ok, error) -> {
                  synchronized (attached) {
                    attached.remove(connection);
                  }
                });
        return;
      }
    }
    connection.ioFailed(group.closedError());
  }

  /**
   * A connection of this loop asks for a read spin of {@code nanos} until it calls {@link #unspin};
   * the loop spins for the longest spin asked by its live connections.
   */
  void spin(long nanos) {
    execute(
        () -> {
          spins.merge(nanos, 1, Integer::sum);
          updateSpin();
        });
  }

  /** Takes back one {@link #spin} of {@code nanos}. */
  void unspin(long nanos) {
    execute(
        () -> {
          spins.computeIfPresent(nanos, (k, n) -> n > 1 ? n - 1 : null);
          updateSpin();
        });
  }

  private void updateSpin() {
    long longest = spins.isEmpty() ? 0 : spins.lastKey();
    if (longest != spinNanos) {
      spinNanos = longest;
      readSpin = new ReadSpin(java.time.Duration.ofNanos(longest));
    }
  }

  void close() {
    closed = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    CURRENT.set(this);
    long failures = 0;
    try {
      while (!closed) {
        try {
          long wait = runTimers();
          if (Thread.interrupted()) {
            clearedInterrupt();
          }
          select(wait);
          processKeys();
          runTasks();
          failures = 0;
        } catch (Throwable t) {
          // the loop serves many connections: it survives anything, pausing after failures in a row
          failures++;
          long n = failures;
          LOG.log(
              n == 1 ? Level.ERROR : Level.DEBUG,
              () -> thread.getName() + ": an iteration failed (" + n + " in a row)",
              t);
          pauseAfterFailure(failures);
        }
      }
    } finally {
      closeKeys();
      failAttached();
      ended = true;
      drainTasksAfterClose();
      for (Timer t; (t = timers.poll()) != null; ) {
        runLate(t);
      }
    }
  }

  /**
   * Something the loop ran (a handler, a callback, a listener) interrupted its thread. The loop
   * ends only through {@link #close()}, never by an interrupt; left set, the flag would make every
   * select return at once and the loop spin. Cleared, and said once per loop.
   */
  private void clearedInterrupt() {
    Level level = interruptSeen ? Level.DEBUG : Level.WARNING;
    interruptSeen = true;
    LOG.log(
        level,
        () ->
            thread.getName()
                + ": cleared an interrupt of the event loop's thread, set by a handler, callback"
                + " or listener it ran; an event loop ends only when its group closes");
  }

  /** Runs the timers that are due; returns nanoseconds until the next one, or -1 for none. */
  private long runTimers() {
    long now = System.nanoTime();
    Timer t;
    while ((t = timers.peek()) != null) {
      if (t.cancelled) {
        timers.poll();
        continue;
      }
      long left = t.deadline - now;
      if (left > 0) {
        return left;
      }
      timers.poll();
      Runnable task = t.task;
      if (task != null) {
        runSafely(task);
      }
      now = System.nanoTime();
    }
    return -1;
  }

  private void select(long waitNanos) throws IOException {
    if (!tasks.isEmpty()) {
      selector.selectNow();
      awake.set(false);
      return;
    }
    if (spinNanos > 0 && readSpin.tryStart()) {
      boolean caught = false;
      try {
        long deadline = System.nanoTime() + spinNanos;
        do {
          caught = selector.selectNow() > 0 || !tasks.isEmpty();
          if (!caught) {
            Thread.onSpinWait();
          }
        } while (!caught && System.nanoTime() - deadline < 0);
      } finally {
        readSpin.spun(caught);
      }
      if (caught) {
        awake.set(false);
        return;
      }
    }
    long asleep = System.nanoTime();
    if (waitNanos < 0) {
      selector.select();
    } else {
      long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
      selector.select(millis);
    }
    awake.set(false);
    if (spinNanos > 0) {
      readSpin.slept(System.nanoTime() - asleep);
    }
  }

  private void processKeys() {
    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
    while (keys.hasNext()) {
      SelectionKey key = keys.next();
      keys.remove();
      Ready handler = (Ready) key.attachment();
      int ops;
      try {
        ops = key.readyOps();
      } catch (java.nio.channels.CancelledKeyException e) {
        continue;
      }
      try {
        handler.ready(ops);
      } catch (Throwable t) {
        try {
          handler.failed(t);
        } catch (Throwable again) {
          LOG.log(Level.ERROR, () -> thread.getName() + ": a connection failed to end", again);
        }
      }
    }
  }

  private void runTasks() {
    // a bounded round, so that tasks that queue tasks cannot starve the selector
    for (int i = tasks.size(); i > 0; i--) {
      Runnable task = tasks.poll();
      if (task == null) {
        return;
      }
      runSafely(task);
    }
  }

  /**
   * Runs a timer of the ended loop at once, on the caller; drops it when the caller is itself
   * running one. Its connection has ended by then, so it has nothing left to time: a connection's
   * watch, which sets itself again from inside its task, runs once instead of nesting without end.
   */
  private void runLate(Timer timer) {
    if (RUNNING_LATE_TIMER.get() != null) {
      timer.cancel();
      return;
    }
    Runnable task = timer.task;
    if (task == null) {
      return;
    }
    RUNNING_LATE_TIMER.set(Boolean.TRUE);
    try {
      runSafely(task);
    } finally {
      RUNNING_LATE_TIMER.remove();
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      LOG.log(Level.WARNING, () -> thread.getName() + ": a task failed", t);
    }
  }

  private static void pauseAfterFailure(long failures) {
    try {
      Thread.sleep(Math.min(1000, 1L << Math.min(10, failures)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeKeys() {
    try {
      for (SelectionKey key : selector.keys()) {
        if (key.attachment() instanceof Ready handler) {
          try {
            handler.failed(group.closedError());
          } catch (Throwable ignored) {
            // ending anyway
          }
        }
      }
      selector.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> thread.getName() + ": closing the selector failed", e);
    }
  }

  /** Fails the {@linkplain #attach attached} connections, and attaches no more. */
  private void failAttached() {
    java.util.List<PacketConnection> left;
    synchronized (attached) {
      ending = true;
      left = new java.util.ArrayList<>(attached);
      attached.clear();
    }
    for (PacketConnection connection : left) {
      try {
        connection.ioFailed(group.closedError());
      } catch (Throwable t) {
        LOG.log(Level.ERROR, () -> thread.getName() + ": a connection failed to end", t);
      }
    }
  }

  /**
   * After the loop stopped, tasks still run (on the caller's thread), so that nothing waits
   * forever.
   */
  private void drainTasksAfterClose() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      runSafely(task);
    }
  }
}
