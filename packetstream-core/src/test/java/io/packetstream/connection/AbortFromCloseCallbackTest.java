package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 5: {@code abort()} returns at once even when a request it fails has a callback
 * that calls {@code close()}, instead of blocking for {@code closeTimeout}.
 */
@Timeout(60)
class AbortFromCloseCallbackTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void abortReturnsWhenAFailedRequestsCallbackCloses() throws Exception {
    try (RawPeerLink link =
        new RawPeerLink(
            PacketConnection.builder()
                .name("abort-callback")
                .closeTimeout(Duration.ofSeconds(60)))) {
      PacketConnection conn = link.connection;
      CompletableFuture<Response> request = conn.submit(1, 0, new byte[] {1});
      CompletableFuture<Void> closedInCallback = new CompletableFuture<>();
      request.whenComplete(
          (response, error) -> {
            conn.close();
            closedInCallback.complete(null);
          });
      assertThat(link.peer.receive().rqType()).isEqualTo(1); // pending: the peer never answers

      CompletableFuture<Void> aborting = Threads.run("aborter", conn::abort);

      aborting.get(10, TimeUnit.SECONDS);
      closedInCallback.get(10, TimeUnit.SECONDS);
      assertThat(conn.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(request)
          .failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(ConnectionClosedException.class);
    }
  }
}
