package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The listener hears that a request of this end ended before its caller is woken: a caller that
 * reads its meters (a client observation's timer) right after the answer finds the request counted,
 * as Spring's HTTP clients stop their observation before they return. The caller was woken first,
 * and a test asserting the client's timer after a call raced its recording.
 */
@Timeout(60)
class OutboundListenerOrderTest {

  /** Records each end of a request of this end, slowly. */
  private static final class Slow implements TrafficListener {
    final List<Outcome> ended = new CopyOnWriteArrayList<>();

    @Override
    public void requestFinished(
        PacketConnection connection,
        Direction direction,
        long channel,
        long tag,
        long rqType,
        Outcome outcome,
        long nanos) {
      if (direction == Direction.OUTBOUND) {
        try {
          Thread.sleep(20); // a listener's work: the caller must not be woken before it is done
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ended.add(outcome);
      }
    }
  }

  @Test
  void theListenerHasHeardTheAnswerWhenTheCallReturns() throws Exception {
    Slow slow = new Slow();
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .handler(rq -> rq.rqType() == 1 ? Response.ok("yes") : Response.failure("no"));
    try (ConnectedPair pair =
        new ConnectedPair(PacketConnection.builder().listener(slow), serving)) {
      for (int i = 0; i < 5; i++) {
        assertThat(pair.left.call(0, 1, 0, new byte[0], Duration.ofSeconds(10)).ok()).isTrue();
        assertThat(slow.ended).hasSize(2 * i + 1).last().isEqualTo(Outcome.OK);
        assertThat(pair.left.call(0, 2, 0, new byte[0], Duration.ofSeconds(10)).ok()).isFalse();
        assertThat(slow.ended).hasSize(2 * i + 2).last().isEqualTo(Outcome.FAILED);
      }
    }
  }

  /** A call that times out, or is cancelled, is counted too by the time its caller sees it end. */
  @Test
  void theListenerHasHeardATimeoutOrACancelWhenTheCallerSeesIt() throws Exception {
    Slow slow = new Slow();
    CompletableFuture<Response> never = new CompletableFuture<>();
    PacketConnection.Builder serving = PacketConnection.builder().handler(rq -> Reply.later(never));
    try (ConnectedPair pair =
        new ConnectedPair(PacketConnection.builder().listener(slow), serving)) {
      assertThatThrownBy(() -> pair.left.call(0, 1, 0, new byte[0], Duration.ofMillis(100)))
          .isInstanceOf(TimeoutException.class);
      assertThat(slow.ended).containsExactly(Outcome.TIMEOUT);

      CompletableFuture<Response> cancelled = pair.left.submit(0, 1, 0, new byte[0], Duration.ZERO);
      Thread canceller = new Thread(() -> cancelled.cancel(false));
      canceller.start();
      assertThat(cancelled).failsWithin(Duration.ofSeconds(10));
      assertThat(slow.ended).containsExactly(Outcome.TIMEOUT, Outcome.CANCELLED);
    } finally {
      never.complete(Response.ok("late"));
    }
  }
}
