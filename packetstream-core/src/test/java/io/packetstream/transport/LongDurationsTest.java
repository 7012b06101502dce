package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A duration too long to count in nanoseconds (ChronoUnit.FOREVER, {@code
 * ofSeconds(Long.MAX_VALUE)}: the usual ways to say "no real limit") works as a very long one.
 * {@code Duration.toNanos()} throws ArithmeticException for them: {@code submit} threw it after the
 * request had been sent.
 */
@Timeout(60)
class LongDurationsTest {

  private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

  @Test
  void aRequestWithAnEndlessTimeoutIsSentOnceAndAnswered() throws Exception {
    try (PacketServer server = echoServer(PacketConnection.builder());
        PacketConnection conn =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      CompletableFuture<Response> answer =
          conn.submit(0, 1, 0, new byte[] {5}, Duration.ofSeconds(Long.MAX_VALUE));
      assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok(new byte[] {5}));
      assertThat(conn.pendingRequests()).isZero();
      assertThat(conn.call(0, 1, 0, new byte[] {6}, FOREVER))
          .isEqualTo(Response.ok(new byte[] {6}));
    }
  }

  @Test
  void endlessConnectionSettingsOpenServeAndClose() throws Exception {
    PacketConnection.Builder endless =
        PacketConnection.builder()
            .requestTimeout(FOREVER)
            .closeTimeout(FOREVER)
            .idleTimeout(FOREVER)
            .readTimeout(FOREVER)
            .probeInterval(FOREVER)
            .probeTimeout(FOREVER)
            .handshakeTimeout(FOREVER);
    PacketServer server =
        PacketServer.builder(endless.handler(rq -> Response.ok(rq.payload())))
            .shutdownTimeout(FOREVER)
            .handshakeTimeout(FOREVER)
            .bindLoopback(0);
    PacketConnection conn = PacketClient.connect("127.0.0.1", server.port(), endless);
    assertThat(conn.call(1, 0, new byte[] {7})).isEqualTo(Response.ok(new byte[] {7}));
    conn.close();
    assertThat(conn.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(conn.join(FOREVER)).isTrue();
    server.close();
    assertThat(server.connections()).isEmpty();
  }

  private static PacketServer echoServer(PacketConnection.Builder builder) throws Exception {
    return PacketServer.builder(builder.handler(rq -> Response.ok(rq.payload()))).bindLoopback(0);
  }
}
