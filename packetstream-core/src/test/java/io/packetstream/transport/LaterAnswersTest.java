package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request whose handler answers later ({@link Reply#later}) holds no handler slot while it waits:
 * handlers that call their peer back, whose handlers call back in turn, no longer fill every slot
 * with requests waiting for ones queued behind them; requests awaiting later answers are bounded by
 * {@code maxQueuedRequests}, beyond which the peer's requests are refused saying so.
 */
@Timeout(60)
class LaterAnswersTest {

  private static final int SLOTS = 4;
  private static final int CALLS = 40;

  @Test
  void callbacksTwoLevelsDeepAllEndWithFarMoreInFlightThanSlots() throws Exception {
    // client -> server (1); the server asks the client (2); the client asks the server (3)
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .maxConcurrentRequests(SLOTS)
                        .handler(
                            rq ->
                                rq.rqType() == 3
                                    ? Response.ok("leaf")
                                    : Reply.later(rq.connection().submit(2, 0, new byte[0]))))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder()
                    .maxConcurrentRequests(SLOTS)
                    .handler(rq -> Reply.later(rq.connection().submit(3, 0, new byte[0]))))) {
      List<CompletableFuture<Response>> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        calls.add(client.submit(1, 0, new byte[0]));
      }
      for (CompletableFuture<Response> call : calls) {
        assertThat(call.get(20, TimeUnit.SECONDS).text()).isEqualTo("leaf");
      }
    }
  }

  @Test
  void answersThatNeverComeFreeTheirSlotsAndAreBoundedByTheQueueLimit() throws Exception {
    CompletableFuture<Response> never = new CompletableFuture<>();
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .maxConcurrentRequests(2)
                        .maxQueuedRequests(5)
                        .handler(rq -> rq.rqType() == 1 ? Reply.later(never) : Response.ok("now")))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      List<CompletableFuture<Response>> waiting = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        waiting.add(client.submit(1, 0, new byte[0]));
      }
      // more than the slots await their answers, and a plain request is still served
      assertThat(client.call(0, 2, 0, new byte[0], Duration.ofSeconds(10)).text()).isEqualTo("now");
      waiting.add(client.submit(1, 0, new byte[0]));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.connections().get(0).runningRequests() == 5);
      // the limit reached, the peer's next request is refused, whatever it is
      Response refused = client.call(0, 2, 0, new byte[0], Duration.ofSeconds(10));
      assertThat(refused.ok()).isFalse();
      assertThat(new String(refused.payload(), StandardCharsets.UTF_8))
          .isEqualTo(
              "too many requests: 5 awaiting answers that come later (limit maxQueuedRequests=5)");
      never.complete(Response.ok("late"));
      for (CompletableFuture<Response> w : waiting) {
        assertThat(w.get(10, TimeUnit.SECONDS).text()).isEqualTo("late");
      }
      assertThat(client.call(0, 1, 0, new byte[0], Duration.ofSeconds(10)).text())
          .isEqualTo("late");
    }
  }
}
