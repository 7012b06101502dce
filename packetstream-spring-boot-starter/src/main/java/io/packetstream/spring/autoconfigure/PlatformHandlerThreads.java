package io.packetstream.spring.autoconfigure;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Platform threads for handlers, for applications that set {@code
 * spring.threads.virtual.enabled=false} on a JVM where the core would choose virtual ones: made as
 * handlers need them and ended when idle, as the core's own pool on Java 17, so that handlers
 * waiting on one another never starve it; each connection's limit bounds its share.
 */
final class PlatformHandlerThreads {

  /** The most threads at once, as the core's pool. */
  static final int MAX_THREADS = 512;

  /** One pool for the JVM: its threads end when idle, so it needs no shutting down. */
  static final Executor EXECUTOR = create();

  private PlatformHandlerThreads() {}

  private static Executor create() {
    AtomicLong count = new AtomicLong();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "packetstream-handler-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return Executors.unconfigurableExecutorService(pool);
  }
}
