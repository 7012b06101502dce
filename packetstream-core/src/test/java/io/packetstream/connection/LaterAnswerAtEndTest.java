package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request whose handler answers later, through a stage that never completes, ends when its
 * connection ends: its stage is cancelled and listeners hear that it finished. It used to stay
 * running for ever, so that a listener's observation of it (a long-task timer's sample) was never
 * stopped and the work behind the stage never cancelled.
 */
@Timeout(60)
class LaterAnswerAtEndTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aStageThatNeverCompletesEndsWithItsConnection() throws Exception {
    CompletableFuture<Response> never = new CompletableFuture<>();
    CountDownLatch handled = new CountDownLatch(1);
    RecordingListener listener = new RecordingListener();
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .listener(listener)
            .handler(
                rq -> {
                  handled.countDown();
                  return Reply.later(never);
                });
    try (ConnectedPair pair = new ConnectedPair(PacketConnection.builder(), serving)) {
      pair.left.submit(0, 1, 0, new byte[] {1}, WAIT);
      assertThat(handled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(pair.right.runningRequests()).isEqualTo(1);

      pair.right.abort();

      await().atMost(WAIT).until(() -> !listener.finished.isEmpty());
      assertThat(listener.finished).hasSize(1);
      RecordingListener.Finished end = listener.finished.get(0);
      assertThat(end.direction()).isEqualTo(Direction.INBOUND);
      assertThat(end.rqType()).isEqualTo(1);
      assertThat(end.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(never).as("the stage is cancelled").isCancelled();
      assertThat(pair.right.runningRequests()).isZero();
    }
  }

  @Test
  void aStageThatCompletesAfterTheEndIsNotReportedAgain() throws Exception {
    CompletableFuture<Response> source = new CompletableFuture<>();
    CountDownLatch handled = new CountDownLatch(1);
    RecordingListener listener = new RecordingListener();
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .listener(listener)
            .handler(
                rq -> {
                  handled.countDown();
                  // a stage that cancelling does not reach: it completes when its source does
                  return Reply.later(source.minimalCompletionStage());
                });
    try (ConnectedPair pair = new ConnectedPair(PacketConnection.builder(), serving)) {
      pair.left.submit(0, 1, 0, new byte[] {1}, WAIT);
      assertThat(handled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      pair.right.abort();
      await().atMost(WAIT).until(() -> listener.finished.size() == 1);
      source.complete(Response.ok(new byte[] {2}));

      assertThat(listener.finished).hasSize(1);
      assertThat(listener.finished.get(0).outcome()).isEqualTo(Outcome.ERROR);
      assertThat(pair.right.runningRequests()).isZero();
    }
  }

  @Test
  void aMinimalStageAnswers() throws Exception {
    // a minimal stage is a CompletableFuture whose isDone() throws: it used to lose the request
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .handler(
                rq ->
                    Reply.later(
                        CompletableFuture.completedFuture(Response.ok(rq.payload()))
                            .minimalCompletionStage()));
    try (ConnectedPair pair = new ConnectedPair(PacketConnection.builder(), serving)) {
      assertThat(pair.left.call(0, 1, 0, new byte[] {5}, WAIT))
          .isEqualTo(Response.ok(new byte[] {5}));
    }
  }
}
