package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.nio.charset.StandardCharsets;
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
 * A group's budget for buffered inbound bytes: past it, a connection that holds more than its
 * allowance refuses its peer's new requests with a clear not-ok while it keeps reading (so the
 * answers to its own requests still come in), and a reader holding a partial frame beyond its
 * allowance stops reading until requests finish; connections whose peers send little carry on.
 */
@Timeout(60)
class InboundBudgetTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long BUDGET = 1024 * 1024;
  private static final int BIG = 256 * 1024;
  private static final int REQUESTS = 40; // 10 MiB, far over the budget
  private static final String REFUSED = "too many requests: the inbound budget is spent";

  @Test
  void aConnectionHoldingTheBudgetRefusesMoreAndOthersGoOn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService handlers = Executors.newCachedThreadPool();
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET)) {
      PacketConnection.Builder serving =
          PacketConnection.builder()
              .eventLoops(loops)
              .executor(handlers)
              .maxConcurrentRequests(REQUESTS)
              .handler(
                  rq -> {
                    if (rq.payload().length >= BIG) {
                      release.await(30, TimeUnit.SECONDS);
                    }
                    return Response.ok(rq.flags(), new byte[0]);
                  });
      try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
          PacketConnection heavy =
              PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
          PacketConnection light =
              PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        List<CompletableFuture<Response>> big = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          big.add(heavy.submit(0, 1, i, new byte[BIG], Duration.ZERO));
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() >= BUDGET);
        await().atMost(WAIT).until(() -> server.connections().size() == 2);
        PacketConnection heavyOnServer =
            server.connections().stream()
                .filter(c -> c.runningRequests() > 0)
                .findFirst()
                .orElseThrow();
        long received = heavyOnServer.packetsReceived();
        Thread.sleep(300);
        assertThat(heavyOnServer.packetsReceived())
            .as("the reader paused past the budget")
            .isEqualTo(received);
        // what is buffered stays near the budget, far below what was sent
        for (int i = 0; i < 10; i++) {
          assertThat(loops.bufferedInboundBytes())
              .isLessThanOrEqualTo(BUDGET + 2L * BIG + 128 * 1024);
          Thread.sleep(50);
        }
        // the light connection's small requests are served all the while
        for (int i = 0; i < 20; i++) {
          assertThat(light.call(0, 1, i, new byte[16], WAIT).ok()).isTrue();
        }
        release.countDown();
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<Response> f : big) {
          Response r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
          if (r.ok()) {
            ok++;
          } else {
            assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).startsWith(REFUSED);
            refused++;
          }
        }
        // every request ended: answered, or refused with the budget named (big frames mostly
        // wait in TCP while the reader pauses; those read past the budget are refused)
        assertThat(ok + refused).isEqualTo(REQUESTS);
        assertThat(ok).isPositive();
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
      }
    } finally {
      release.countDown();
      handlers.shutdownNow();
    }
  }

  /** Handlers that call their requester back finish, however much of the budget they hold. */
  @Test
  void aConnectionOverTheBudgetStillReadsTheAnswersToItsOwnRequests() throws Exception {
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET)) {
      PacketConnection.Builder serving =
          PacketConnection.builder()
              .eventLoops(loops)
              .maxConcurrentRequests(REQUESTS)
              .handler(
                  rq ->
                      Reply.later(
                          rq.connection()
                              .submit(0, 2, 0, new byte[8], Duration.ZERO)
                              .thenApply(callback -> Response.ok(callback.payload()))));
      PacketConnection.Builder client =
          PacketConnection.builder().handler(rq -> Response.ok(new byte[] {42}));
      try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
          PacketConnection heavy = PacketClient.connect("127.0.0.1", server.port(), client)) {
        List<CompletableFuture<Response>> big = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          big.add(heavy.submit(0, 1, i, new byte[BIG], Duration.ZERO));
        }
        for (CompletableFuture<Response> f : big) {
          Response r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
          if (r.ok()) {
            assertThat(r.payload()).containsExactly(42);
          } else {
            assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).startsWith(REFUSED);
          }
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
      }
    }
  }
}
