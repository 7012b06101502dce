package io.packetstream.connection;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads a connection uses unless told otherwise. Handlers run on virtual threads on Java 21
 * and later and on a shared pool on 17; the library compiles for 17, so it reaches the
 * virtual-thread API reflectively, once. A connection's reader and writer are platform threads on
 * every version: each spends its life waiting in the kernel for bytes, where a virtual thread adds
 * a trip through the scheduler to every wake-up (measured: a third of the throughput at window 16
 * on Java 25).
 */
final class DefaultThreads {

  /**
   * The most threads of the shared handler pool on Java 17. Threads are made as handlers need them
   * and end after 30 s idle; tasks beyond them wait in the pool's queue, never refused; each
   * connection's own limit bounds its share.
   */
  static final int POOL_MAX_THREADS = 512;

  private static final MethodHandle NEW_VIRTUAL_EXECUTOR = lookupVirtualExecutor();
  private static final AtomicLong IO_THREADS = new AtomicLong();

  private DefaultThreads() {}

  /** Whether this JVM has virtual threads (Java 21+). */
  static boolean virtualThreadsAvailable() {
    return NEW_VIRTUAL_EXECUTOR != null;
  }

  /** The shared executor for handlers: one virtual thread per task, or a bounded pool. */
  static ExecutorService handlerExecutor() {
    return HandlerExecutor.INSTANCE;
  }

  /**
   * The shared pool of platform threads for handlers ({@link HandlerPool}), the default on Java 17;
   * an {@code Executor} only, so that no user of it can shut it down.
   */
  static Executor platformHandlerExecutor() {
    return PlatformPool.EXECUTOR;
  }

  /** Makes the reader and writer threads of connections. */
  static ThreadFactory ioThreadFactory() {
    return r -> {
      Thread t = new Thread(r, "packetstream-io-" + IO_THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static final class HandlerExecutor {
    static final ExecutorService INSTANCE = create();

    private static ExecutorService create() {
      if (NEW_VIRTUAL_EXECUTOR != null) {
        try {
          return (ExecutorService) NEW_VIRTUAL_EXECUTOR.invoke();
        } catch (Throwable e) {
          throw new IllegalStateException("cannot create virtual-thread executor", e);
        }
      }
      return PlatformPool.POOL;
    }
  }

  private static final class PlatformPool {
    static final ExecutorService POOL =
        Executors.unconfigurableExecutorService(HandlerPool.create());
    static final Executor EXECUTOR = POOL::execute;
  }

  /**
   * The Java 17 pool: reuses an idle thread when there is one, makes a new one (up to {@link
   * #POOL_MAX_THREADS}) when all are busy, and queues a task when all of those are busy, never
   * refusing it. A plain ThreadPoolExecutor does one of the two: with a queue it never grows past
   * its core size, without one it refuses work when full. Its queue therefore declines a task while
   * the pool may still grow and no thread is idle. TLS delegated tasks run on one too ({@link
   * TlsChannelIo.DelegatedTasks}).
   */
  static final class HandlerPool extends LinkedBlockingQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    private final transient AtomicInteger busy = new AtomicInteger();
    private transient ThreadPoolExecutor pool;

    static ExecutorService create() {
      return create(POOL_MAX_THREADS);
    }

    static ExecutorService create(int maxThreads) {
      return create("packetstream-handler-", maxThreads);
    }

    /** A pool of daemon threads named {@code namePrefix} and a number. */
    static ExecutorService create(String namePrefix, int maxThreads) {
      HandlerPool queue = new HandlerPool();
      AtomicLong count = new AtomicLong();
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              0,
              maxThreads,
              30,
              TimeUnit.SECONDS,
              queue,
              r -> {
                Thread t = new Thread(r, namePrefix + count.incrementAndGet());
                t.setDaemon(true);
                return t;
              },
              (task, full) -> queue.force(task)) {
            @Override
            public void execute(Runnable task) {
              queue.busy.incrementAndGet();
              super.execute(
                  () -> {
                    try {
                      task.run();
                    } finally {
                      queue.busy.decrementAndGet();
                    }
                  });
            }
          };
      queue.pool = pool;
      return pool;
    }

    /** Queues a task the pool could not give a thread: it waits for one to be free. */
    void force(Runnable task) {
      super.offer(task);
    }

    @Override
    public boolean offer(Runnable task) {
      int threads = pool.getPoolSize();
      if (busy.get() > threads && threads < pool.getMaximumPoolSize()) {
        return false; // every thread is busy and the pool may grow: make a thread
      }
      return super.offer(task);
    }
  }

  private static MethodHandle lookupVirtualExecutor() {
    try {
      return MethodHandles.publicLookup()
          .findStatic(
              Executors.class,
              "newVirtualThreadPerTaskExecutor",
              MethodType.methodType(ExecutorService.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
