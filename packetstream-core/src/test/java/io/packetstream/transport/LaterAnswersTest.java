package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
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

  /**
   * Up to maxQueuedRequests requests await their answers without a slot; past that one keeps its
   * slot, as every one did before, so their number stays bounded, and the peer's plain requests are
   * served or queued as usual meanwhile, never refused while a slot is free.
   */
  @Test
  void answersThatNeverComeFreeTheirSlotsUpToTheQueueLimit() throws Exception {
    CompletableFuture<Response> never = new CompletableFuture<>();
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .maxConcurrentRequests(1)
                        .maxQueuedRequests(2)
                        .handler(rq -> rq.rqType() == 1 ? Reply.later(never) : Response.ok("now")))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      List<CompletableFuture<Response>> waiting = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        waiting.add(client.submit(1, 0, new byte[0]));
      }
      // two await their answers, more than the one slot, and a plain request is still served
      assertThat(client.call(0, 2, 0, new byte[0], Duration.ofSeconds(10)).text()).isEqualTo("now");
      PacketConnection onServer = server.connections().get(0);
      assertThat(onServer.runningRequests()).isEqualTo(2);
      // the third keeps the slot: a plain request now waits in the queue
      waiting.add(client.submit(1, 0, new byte[0]));
      await().atMost(Duration.ofSeconds(10)).until(() -> onServer.runningRequests() == 3);
      CompletableFuture<Response> plain = client.submit(2, 0, new byte[0]);
      await().atMost(Duration.ofSeconds(10)).until(() -> onServer.queuedRequests() == 1);

      never.complete(Response.ok("late"));
      for (CompletableFuture<Response> w : waiting) {
        assertThat(w.get(10, TimeUnit.SECONDS).text()).isEqualTo("late");
      }
      assertThat(plain.get(10, TimeUnit.SECONDS).text()).isEqualTo("now");
    }
  }

  /**
   * With no queue at all, a later answer keeps its slot and a plain request with a free one is
   * served.
   */
  @Test
  void withNoQueueALaterAnswerKeepsItsSlotAndNothingElseIsRefused() throws Exception {
    CompletableFuture<Response> never = new CompletableFuture<>();
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .maxConcurrentRequests(2)
                        .maxQueuedRequests(0)
                        .handler(rq -> rq.rqType() == 1 ? Reply.later(never) : Response.ok("now")))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(client.call(0, 2, 0, new byte[0], Duration.ofSeconds(10)).text()).isEqualTo("now");
      CompletableFuture<Response> later = client.submit(1, 0, new byte[0]);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.connections().get(0).runningRequests() == 1);
      assertThat(client.call(0, 2, 0, new byte[0], Duration.ofSeconds(10)).text()).isEqualTo("now");
      never.complete(Response.ok("late"));
      assertThat(later.get(10, TimeUnit.SECONDS).text()).isEqualTo("late");
    }
  }
}
