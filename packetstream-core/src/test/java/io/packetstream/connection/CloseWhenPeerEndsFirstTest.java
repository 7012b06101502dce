package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.wire.Packet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 4: a graceful {@code close()} waiting for an answer returns as soon as the peer
 * ends the stream, instead of sleeping until {@code closeTimeout}.
 */
@Timeout(60)
class CloseWhenPeerEndsFirstTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void closeReturnsWhenThePeerEndsWhileARequestIsPending() throws Exception {
    try (RawPeerLink link =
        new RawPeerLink(
            PacketConnection.builder()
                .name("peer-ends-first")
                .closeTimeout(Duration.ofSeconds(60)))) {
      PacketConnection conn = link.connection;
      CompletableFuture<Response> request = conn.submit(1, 0, new byte[] {1});
      assertThat(link.peer.receive().rqType()).isEqualTo(1); // on the wire; the peer never answers

      CompletableFuture<Void> closing = Threads.run("closer", conn::close);
      await().atMost(WAIT).until(() -> conn.state() == ConnectionState.DRAINING);
      link.peer.send(Packet.EOF);
      link.peer.close();

      closing.get(10, TimeUnit.SECONDS);
      assertThat(conn.state().isTerminal()).isTrue();
      assertThat(request)
          .failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(ConnectionClosedException.class);
    }
  }
}
