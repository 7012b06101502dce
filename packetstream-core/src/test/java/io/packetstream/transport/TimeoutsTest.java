package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The idle and read timeouts free the slots of silent and stalled peers, and only theirs. */
@Timeout(60)
class TimeoutsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void failsAConnectionWhosePeerStallsInsideAFrameAndServesTheOthers() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .readTimeout(Duration.ofMillis(300))
            .handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        RawPeer staller = new RawPeer(server.port());
        PacketConnection good =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 1, new byte[1000]));
      staller.sendBytes(Arrays.copyOf(frame, 10));
      PacketConnection stalled = serverSide(server, staller);
      await().atMost(WAIT).until(() -> stalled.state().isTerminal());
      assertThat(stalled.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(stalled.failure())
          .get()
          .isInstanceOf(SocketTimeoutException.class)
          .asString()
          .contains("read timed out")
          .contains("readTimeout");
      assertThat(staller.awaitEnd()).as("the staller's socket was closed").isTrue();
      assertThat(good.call(0, 1, 0, new byte[] {7}, WAIT)).isEqualTo(Response.ok(new byte[] {7}));
    }
  }

  @Test
  void aPeerThatPausesBetweenFramesIsNotStalled() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .readTimeout(Duration.ofMillis(200))
            .handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      for (int i = 0; i < 3; i++) {
        assertThat(client.call(0, 1, 0, new byte[] {(byte) i}, WAIT))
            .isEqualTo(Response.ok(new byte[] {(byte) i}));
        Thread.sleep(400);
      }
      assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
    }
  }

  @Test
  void closesAConnectionIdleForItsIdleTimeoutAndKeepsABusyOne() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .idleTimeout(Duration.ofMillis(500))
            .handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection idle =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
        PacketConnection busy =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(idle.call(0, 1, 0, new byte[] {1}, WAIT).ok()).isTrue();
      long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      while (System.nanoTime() < end) {
        assertThat(busy.call(0, 1, 0, new byte[] {2}, WAIT).ok()).isTrue();
        Thread.sleep(100);
      }
      // the server closed the idle one gracefully: its EOF ended the client's side too
      idle.termination()
          .toCompletableFuture()
          .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(idle.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(busy.state()).isEqualTo(ConnectionState.OPEN);
      await().atMost(WAIT).until(() -> server.connections().size() == 1);
    }
  }

  private static PacketConnection serverSide(PacketServer server, RawPeer peer) {
    await().atMost(WAIT).until(() -> server.connections().stream().anyMatch(c -> isPeer(c, peer)));
    return server.connections().stream().filter(c -> isPeer(c, peer)).findFirst().orElseThrow();
  }

  private static boolean isPeer(PacketConnection c, RawPeer peer) {
    return c.remoteAddress()
        .map(a -> ((InetSocketAddress) a).getPort() == peer.localPort())
        .orElse(false);
  }
}
