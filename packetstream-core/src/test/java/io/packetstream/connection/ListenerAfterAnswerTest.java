package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request answered on the event loop is written before the listener hears of its end, so that the
 * listener's work (meters, observations) does not hold the answers of a read batch back; and the
 * listener still hears of every request once, with its outcome.
 */
@Timeout(60)
class ListenerAfterAnswerTest {

  @Test
  void theAnswerReachesThePeerBeforeTheListenerHearsTheRequestEnded() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    CompletableFuture<Boolean> answeredFirst = new CompletableFuture<>();
    TrafficListener listener =
        new TrafficListener() {
          @Override
          public void requestFinished(
              PacketConnection connection,
              Direction direction,
              long channel,
              long tag,
              long rqType,
              Outcome outcome,
              long nanos) {
            try {
              // before the change the answer waited for this method: the wait ran out
              answeredFirst.complete(answered.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              answeredFirst.completeExceptionally(e);
            }
          }
        };
    // the client on loops of its own, so that the server's waiting listener cannot hold it up
    try (EventLoopGroup clientLoops = EventLoopGroup.create("answer-first-client", 1)) {
      PacketServer server =
          PacketServer.builder(
                  PacketConnection.builder()
                      .executor(Runnable::run)
                      .handler(rq -> Response.ok(rq.payload()))
                      .listener(listener))
              .name("answer-first")
              .bindLoopback(0);
      PacketConnection client =
          PacketClient.connect(
              "127.0.0.1",
              server.port(),
              PacketConnection.builder().name("answer-first-client").eventLoops(clientLoops));
      try {
        Response response =
            client
                .submit(1, 0, new byte[] {7})
                .whenComplete((r, e) -> answered.countDown())
                .get(10, TimeUnit.SECONDS);

        assertThat(response).isEqualTo(Response.ok(new byte[] {7}));
        assertThat(answeredFirst.get(10, TimeUnit.SECONDS)).isTrue();
      } finally {
        client.abort();
        server.abort();
      }
    }
  }

  @Test
  void everyRequestOfAWindowAnsweredOnTheLoopEndsOnceWithItsOutcome() throws Exception {
    Map<Long, List<Outcome>> ends = new ConcurrentHashMap<>();
    TrafficListener listener =
        new TrafficListener() {
          @Override
          public void requestFinished(
              PacketConnection connection,
              Direction direction,
              long channel,
              long tag,
              long rqType,
              Outcome outcome,
              long nanos) {
            if (nanos < 0) {
              outcome = null; // fails the test below
            }
            ends.computeIfAbsent(rqType, t -> new CopyOnWriteArrayList<>()).add(outcome);
          }
        };
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .executor(Runnable::run)
                    .handler(
                        rq ->
                            rq.rqType() % 3 == 0
                                ? Response.failure("not this one")
                                : Response.ok(rq.payload()))
                    .listener(listener))
            .name("window-ends")
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder().name("window-ends-client"));
    try {
      int n = 3000; // more than a batch keeps (DeferredFinishes.CAPACITY)
      List<CompletableFuture<Response>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        calls.add(client.submit(i, 0, new byte[] {1}));
      }
      for (CompletableFuture<Response> call : calls) {
        call.get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> ends.size() == n);

      assertThat(ends).hasSize(n);
      ends.forEach(
          (type, outcomes) ->
              assertThat(outcomes)
                  .as("request type %d", type)
                  .containsExactly(type % 3 == 0 ? Outcome.FAILED : Outcome.OK));
    } finally {
      client.abort();
      server.abort();
    }
  }
}
