package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.EventLoopGroup;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.util.ClassUtils;

/**
 * Tells Reactor that the core's event-loop threads must not block, as Reactor Netty's threads tell
 * it by a marker interface that the core, free of dependencies, cannot implement: a {@code block()}
 * in work chained on an answer (which completes on the loop) then fails at once naming the thread,
 * instead of stalling every connection of the loop until its timeout runs out.
 */
final class ReactorBlockingCheck {

  private static final boolean REACTOR =
      ClassUtils.isPresent(
          "reactor.core.scheduler.Schedulers", ReactorBlockingCheck.class.getClassLoader());

  private static final AtomicBoolean REGISTERED = new AtomicBoolean();

  private ReactorBlockingCheck() {}

  /** Registers the check once per class loader, when Reactor is on the class path. */
  static void register() {
    if (REACTOR && REGISTERED.compareAndSet(false, true)) {
      Reactor.register();
    }
  }

  /** What needs Reactor, loaded only when it is there. */
  private static final class Reactor {

    private Reactor() {}

    static void register() {
      // Reactor asks about the current thread; the core can say only that
      reactor.core.scheduler.Schedulers.registerNonBlockingThreadPredicate(
          t -> t == Thread.currentThread() && EventLoopGroup.inEventLoop());
    }
  }
}
