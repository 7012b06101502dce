package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A group's budget for buffered inbound bytes: past it, the connections that hold more than their
 * allowance stop reading (TCP holds their peers back) until requests finish, while connections
 * whose peers send little carry on.
 */
@Timeout(60)
class InboundBudgetTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long BUDGET = 1024 * 1024;
  private static final int BIG = 256 * 1024;
  private static final int REQUESTS = 40; // 10 MiB, far over the budget

  @Test
  void aConnectionHoldingTheBudgetStopsReadingAndOthersGoOn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService handlers = Executors.newCachedThreadPool();
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET)) {
      PacketConnection.Builder serving = PacketConnection.builder()
          .eventLoops(loops)
          .executor(handlers)
          .maxConcurrentRequests(REQUESTS)
          .handler(rq -> {
            if (rq.payload().length >= BIG) {
              release.await(30, TimeUnit.SECONDS);
            }
            return Response.ok(rq.flags(), new byte[0]);
          });
      try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
          PacketConnection heavy = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        await().atMost(WAIT).until(() -> server.connections().size() == 1);
        PacketConnection heavyOnServer = server.connections().get(0);
        PacketConnection light = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
        List<CompletableFuture<Response>> big = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          big.add(heavy.submit(0, 1, i, new byte[BIG], Duration.ZERO));
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() >= BUDGET);
        // it stopped reading: the buffered bytes stay near the budget, far below what was sent
        Thread.sleep(300);
        long received = heavyOnServer.packetsReceived();
        Thread.sleep(300);
        assertThat(heavyOnServer.packetsReceived()).as("no more read while over budget").isEqualTo(received);
        assertThat(received).isLessThan(REQUESTS);
        assertThat(loops.bufferedInboundBytes()).isLessThanOrEqualTo(BUDGET + 2L * BIG + 128 * 1024);
        // the light connection's small requests are served all the while
        for (int i = 0; i < 20; i++) {
          assertThat(light.call(0, 1, i, new byte[16], WAIT).ok()).isTrue();
        }
        release.countDown();
        for (CompletableFuture<Response> f : big) {
          assertThat(f.get(WAIT.toSeconds(), TimeUnit.SECONDS).ok()).isTrue();
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
        light.close();
      }
    } finally {
      release.countDown();
      handlers.shutdownNow();
    }
  }
}
