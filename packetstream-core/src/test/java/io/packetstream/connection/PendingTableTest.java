package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 10: a caller completing the returned future itself ({@code complete(null)},
 * {@code obtrudeValue}) cannot leave a stale entry in the pending table that then holds {@code
 * close()} until its timeout.
 */
@Timeout(60)
class PendingTableTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void completingTheFutureWithNullLeavesNothingPending() throws Exception {
    callerEndsThePendingFuture("complete-null", f -> f.complete(null));
  }

  @Test
  void obtrudingAValueLeavesNothingPending() throws Exception {
    callerEndsThePendingFuture("obtrude", f -> f.obtrudeValue(Response.empty()));
  }

  private static void callerEndsThePendingFuture(
      String name, Consumer<CompletableFuture<Response>> meddle) throws Exception {
    try (RawPeerLink link =
        new RawPeerLink(
            PacketConnection.builder().name(name).closeTimeout(Duration.ofSeconds(60)))) {
      PacketConnection conn = link.connection;
      CompletableFuture<Response> request = conn.submit(1, 0, new byte[] {1});
      assertThat(link.peer.receive().rqType()).isEqualTo(1); // on the wire; the peer never answers

      try {
        meddle.accept(request);
      } catch (RuntimeException refused) {
        // the engine may refuse a caller's completion outright; what matters is the table
      }

      await().atMost(WAIT).untilAsserted(() -> assertThat(conn.pendingRequests()).isZero());
      CompletableFuture<Void> peerEnded = link.peerEndsAfterTheConnection();
      CompletableFuture<Void> closing = Threads.run("closer", conn::close);
      closing.get(10, TimeUnit.SECONDS);
      assertThat(conn.state()).isEqualTo(ConnectionState.CLOSED);
      peerEnded.get(10, TimeUnit.SECONDS);
    }
  }
}
