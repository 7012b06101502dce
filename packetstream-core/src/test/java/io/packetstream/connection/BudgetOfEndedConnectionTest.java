package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, the inbound budget: a connection that ends gives back the budget its peer's requests
 * hold at once, running ones included, so that a handler hung on a dead connection cannot keep the
 * group's other connections short of it.
 */
@Timeout(60)
class BudgetOfEndedConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void anEndedConnectionReleasesTheBudgetOfItsHungHandlersAtOnce() throws Exception {
    CountDownLatch hung = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(3);
    int size = 100_000;
    try (EventLoopGroup group = EventLoopGroup.create(1, 64L * 1024 * 1024);
        ConnectedPair pair =
            new ConnectedPair(
                PacketConnection.builder(),
                PacketConnection.builder()
                    .eventLoops(group)
                    .maxConcurrentRequests(3)
                    .handler(
                        rq -> {
                          started.countDown();
                          hung.await();
                          return Response.ok(0, new byte[0]);
                        }))) {
      for (int i = 0; i < 5; i++) {
        pair.left.submit(0, i, new byte[size]);
      }
      // three run and hang, two wait in the queue: all five charged
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      await().atMost(WAIT).until(() -> group.bufferedInboundBytes() >= 5L * size);

      pair.right.abort();
      assertThat(pair.right.state().isTerminal()).isTrue();
      await().atMost(WAIT).until(() -> group.bufferedInboundBytes() == 0);
      assertThat(hung.getCount()).isEqualTo(1); // the handlers still hang

      hung.countDown();
      // their late answers give nothing back twice
      await().atMost(WAIT).until(() -> pair.right.runningRequests() == 0);
      assertThat(group.bufferedInboundBytes()).isZero();
    } finally {
      hung.countDown();
    }
  }
}
