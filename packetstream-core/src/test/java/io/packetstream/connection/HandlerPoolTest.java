package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java 17 handler pool reuses idle threads, grows to its maximum, then queues, never refusing.
 */
@Timeout(60)
class HandlerPoolTest {

  @Test
  void reusesAnIdleThreadInsteadOfMakingOnePerTask() throws Exception {
    ExecutorService pool = DefaultThreads.HandlerPool.create(512);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try {
      for (int i = 0; i < 200; i++) {
        CountDownLatch done = new CountDownLatch(1);
        pool.execute(
            () -> {
              threads.add(Thread.currentThread().getName());
              done.countDown();
            });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(1); // the thread goes back to waiting for work
      }
      assertThat(threads.size())
          .as("threads for 200 tasks one after another")
          .isLessThanOrEqualTo(4);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void growsToItsMaximumThenQueuesWithoutRefusing() throws Exception {
    ExecutorService pool = DefaultThreads.HandlerPool.create(4);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(40);
    try {
      for (int i = 0; i < 40; i++) {
        pool.execute(
            () -> {
              most.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              running.decrementAndGet();
              done.countDown();
            });
      }
      Thread.sleep(200);
      assertThat(running.get()).as("busy threads: the maximum, the rest queued").isEqualTo(4);
      release.countDown();
      assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(most.get()).isEqualTo(4);
    } finally {
      pool.shutdownNow();
    }
  }
}
