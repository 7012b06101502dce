package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TcpRoundTripTest {

  @Test
  void echoesOverLoopbackTcp() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder().handler(rq -> Response.ok(rq.flags(), rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      Response r =
          client.call(0, 0, 7, "hello".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
      assertThat(r).isEqualTo(new Response(true, 7, "hello".getBytes(StandardCharsets.UTF_8)));
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        all.add(client.submit(0, i, ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < 2000; i++) {
        Response ri = all.get(i).get(10, TimeUnit.SECONDS);
        assertThat(ri).isEqualTo(new Response(true, i, ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  @Test
  void turnsOnKeepAliveSoAHalfOpenPeerIsNoticed() throws Exception {
    try (PacketServer server = PacketServer.builder(PacketConnection.builder()).bindLoopback(0);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        SocketChannel channel =
            SocketChannel.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))) {
      assertThat(socket.getKeepAlive()).isFalse();
      assertThat(channel.getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
      try (PacketConnection overSocket = PacketConnection.builder().open(socket, false);
          PacketConnection overChannel = PacketConnection.builder().open(channel, false)) {
        assertThat(socket.getKeepAlive()).isTrue();
        assertThat(channel.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
      }
    }
  }

  /**
   * Answers written by the reader thread itself (a direct executor) that are too big for the socket
   * to take at once must reach the peer whole, never interleaved with other writes.
   */
  @Test
  void keepsLargeAnswersWrittenByTheReaderThreadWhole() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .executor(Runnable::run)
            .handler(rq -> Response.ok(rq.flags(), rq.payload()));
    Random random = new Random(42);
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      List<byte[]> payloads = new ArrayList<>();
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        byte[] p = new byte[i % 10 == 0 ? 1 + random.nextInt(3_000_000) : random.nextInt(2000)];
        random.nextBytes(p);
        payloads.add(p);
        all.add(client.submit(0, i, p));
      }
      for (int i = 0; i < payloads.size(); i++) {
        assertThat(all.get(i).get(30, TimeUnit.SECONDS))
            .isEqualTo(new Response(true, i, payloads.get(i)));
      }
    }
  }
}
