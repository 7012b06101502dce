package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A decoder that throws an Error fails the future with it: the future never completed, so its
 * caller waited for ever for a request that had been answered.
 */
@Timeout(60)
class DecoderFailureTest {

  @Test
  void aDecoderThatThrowsAnErrorFailsTheFuture() throws Exception {
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder().handler(rq -> Response.ok(rq.payload())))
                .bindLoopback(0);
        PacketConnection conn =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      CompletableFuture<String> decoded =
          conn.submit(
              1,
              0,
              new byte[] {1},
              (flags, payload) -> {
                throw new AssertionError("the decoder's own bug");
              });

      assertThat(decoded)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(AssertionError.class);
      assertThat(conn.pendingRequests()).isZero();
      assertThat(conn.call(1, 0, new byte[] {2})).isEqualTo(Response.ok(new byte[] {2}));
    }
  }
}
