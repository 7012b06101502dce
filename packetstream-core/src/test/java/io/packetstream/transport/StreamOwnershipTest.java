package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A connection leaves the streams it was handed to their owner, as the original does. */
@Timeout(60)
class StreamOwnershipTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void leavesHandedStreamsAndUnownedSocketsOpen() throws Exception {
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder().handler(rq -> Response.ok(rq.payload())))
                .bindLoopback(0);
        Socket first = new Socket(InetAddress.getLoopbackAddress(), server.port());
        Socket second = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      PacketConnection overStreams =
          PacketConnection.builder().open(first.getInputStream(), first.getOutputStream());
      assertThat(overStreams.call(0, 0, 0, new byte[] {1}, WAIT).ok()).isTrue();
      overStreams.close();
      assertThat(overStreams.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(first.isClosed()).isFalse();

      PacketConnection unowned = PacketConnection.builder().open(second, false);
      assertThat(unowned.call(0, 0, 0, new byte[] {2}, WAIT).ok()).isTrue();
      unowned.close();
      assertThat(second.isClosed()).isFalse();
    }
  }

  @Test
  void closesAnOwnedSocketWhenItEnds() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        Socket peer = listener.accept()) {
      PacketConnection owned =
          PacketConnection.builder().closeTimeout(Duration.ofMillis(200)).open(socket, true);
      owned.close();
      assertThat(socket.isClosed()).isTrue();
      // the peer saw ERQ and EOF, then the end of the stream
      InputStream in = peer.getInputStream();
      assertThat(in.readAllBytes()).containsExactly(3, 1, 2, 0, 3, 0, 2, 0);
    }
  }

  @Test
  void leavesOutErqForPeersOfTheOlderRelease() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        Socket peer = listener.accept()) {
      PacketConnection owned =
          PacketConnection.builder()
              .sendErq(false)
              .closeTimeout(Duration.ofMillis(200))
              .open(socket, true);
      owned.close();
      assertThat(peer.getInputStream().readAllBytes()).containsExactly(3, 0, 2, 0);
    }
  }
}
