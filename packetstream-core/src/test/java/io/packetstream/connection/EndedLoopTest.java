package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Once its loop has ended, a timer cannot wait for the loop: it runs at once on its caller, once. A
 * timer that sets itself again, as a connection's watch does, used to run again at once from inside
 * itself, nesting until the stack overflowed. A connection over streams that comes to the loop as
 * it ends fails at once, as those it had fail when it ends.
 */
@Timeout(30)
class EndedLoopTest {

  private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aTimerSetAfterTheLoopEndedThatSetsItselfAgainRunsOnceWithoutNesting() {
    EventLoop loop = endedLoop("ended-rearm");
    Rearming timer = new Rearming(loop);

    loop.schedule(timer, ONE_SECOND);

    assertThat(timer.deepest.get()).isEqualTo(1);
    assertThat(timer.runs.get()).isEqualTo(1);
  }

  @Test
  void aTimerPendingWhenTheLoopEndsRunsOnceWithoutNesting() {
    EventLoopGroup group = EventLoopGroup.create("pending-rearm", 1);
    EventLoop loop = group.next();
    Rearming timer = new Rearming(loop);
    loop.schedule(timer, TimeUnit.HOURS.toNanos(1));

    group.close();
    await().atMost(Duration.ofSeconds(10)).until(loop::ended);

    assertThat(timer.deepest.get()).isEqualTo(1);
    assertThat(timer.runs.get()).isEqualTo(1);
  }

  @Test
  void aTimerSetAfterTheLoopEndedStillRunsOnItsCaller() {
    // what a transport's close sets (a TLS linger) must not be lost with the loop
    EventLoop loop = endedLoop("ended-once");
    AtomicInteger runs = new AtomicInteger();
    Thread[] ranOn = new Thread[1];

    loop.schedule(
        () -> {
          runs.incrementAndGet();
          ranOn[0] = Thread.currentThread();
        },
        ONE_SECOND);

    assertThat(runs.get()).isEqualTo(1);
    assertThat(ranOn[0]).isSameAs(Thread.currentThread());
  }

  @Test
  void aStreamConnectionAttachedToAnEndedLoopEndsFailedWithItsPendingRequest() throws Exception {
    // what a connection opening over a socket meets when its group closes meanwhile
    EventLoop loop = endedLoop("ended-attach");
    try (PipedInputStream in = new PipedInputStream();
        PipedOutputStream peerOut = new PipedOutputStream(in);
        PipedInputStream peerIn = new PipedInputStream();
        PipedOutputStream out = new PipedOutputStream(peerIn)) {
      PacketConnection connection = PacketConnection.builder().open(in, out);
      CompletableFuture<Response> pending = connection.submit(0, 0, new byte[0]);

      loop.attach(connection);

      connection.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(connection.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(connection.failure().map(Throwable::getMessage))
          .hasValueSatisfying(m -> assertThat(m).contains("event loop group ended-attach"));
      assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ConnectionClosedException.class);
    }
  }

  private static EventLoop endedLoop(String name) {
    EventLoopGroup group = EventLoopGroup.create(name, 1);
    EventLoop loop = group.next();
    group.close();
    await().atMost(Duration.ofSeconds(10)).until(loop::ended);
    return loop;
  }

  /**
   * A timer that sets itself again for a second later, up to 1000 times, noting how deep it ran.
   */
  private static final class Rearming implements Runnable {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger deepest = new AtomicInteger();
    private final AtomicInteger depth = new AtomicInteger();
    private final EventLoop loop;

    Rearming(EventLoop loop) {
      this.loop = loop;
    }

    @Override
    public void run() {
      deepest.accumulateAndGet(depth.incrementAndGet(), Math::max);
      try {
        if (runs.incrementAndGet() < 1000) {
          loop.schedule(this, ONE_SECOND);
        }
      } finally {
        depth.decrementAndGet();
      }
    }
  }
}
