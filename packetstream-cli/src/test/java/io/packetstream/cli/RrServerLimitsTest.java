package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.BSUInt;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** rr-server's options for misbehaving peers: each one parsed, and each one acting on a peer. */
@Timeout(60)
class RrServerLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void parsesEveryLimitOption() {
    RrServerCommand command = new RrServerCommand();
    new CommandLine(command)
        .parseArgs(
            "--port",
            "0",
            "--idle-timeout-ms",
            "1500",
            "--read-timeout-ms",
            "2500",
            "--max-connections",
            "7",
            "--max-frame-length",
            "4096",
            "--heap-requests");
    assertThat(command.limits.idleTimeoutMs).isEqualTo(1500);
    assertThat(command.limits.readTimeoutMs).isEqualTo(2500);
    assertThat(command.limits.maxConnections).isEqualTo(7);
    assertThat(command.limits.maxFrameLength).isEqualTo(4096);
    assertThat(command.limits.heapRequests).isTrue();
  }

  @Test
  void idleTimeoutClosesASilentPeer() throws Exception {
    ServerLimits limits = new ServerLimits();
    limits.idleTimeoutMs = 300L;
    try (PacketServer server = RrServerCommand.start(Endpoint.loopback(0), false, limits);
        Socket silent = connect(server)) {
      assertThat(readsToTheEnd(silent.getInputStream())).as("the server closed the peer").isTrue();
    }
  }

  @Test
  void readTimeoutFailsAPeerStalledInsideAFrame() throws Exception {
    ServerLimits limits = new ServerLimits();
    limits.readTimeoutMs = 300L;
    try (PacketServer server = RrServerCommand.start(Endpoint.loopback(0), false, limits);
        Socket staller = connect(server)) {
      byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 0, new byte[100]));
      staller.getOutputStream().write(Arrays.copyOf(frame, 10));
      assertThat(readsToTheEnd(staller.getInputStream())).isTrue();
    }
  }

  @Test
  void maxFrameLengthFailsAPeerAnnouncingALongerFrame() throws Exception {
    ServerLimits limits = new ServerLimits();
    limits.maxFrameLength = 100;
    try (PacketServer server = RrServerCommand.start(Endpoint.loopback(0), false, limits);
        Socket peer = connect(server)) {
      peer.getOutputStream().write(BSUInt.encode(101));
      assertThat(readsToTheEnd(peer.getInputStream())).isTrue();
    }
  }

  @Test
  void maxConnectionsDisconnectsAPeerBeyondIt() throws Exception {
    ServerLimits limits = new ServerLimits();
    limits.maxConnections = 1;
    try (PacketServer server = RrServerCommand.start(Endpoint.loopback(0), false, limits);
        PacketConnection first =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(first.call(0, 0, 0, new byte[] {1, 2}, WAIT).payload()).containsExactly(2, 1);
      try (Socket second = connect(server)) {
        assertThat(readsToTheEnd(second.getInputStream())).isTrue();
      }
      assertThat(first.call(0, 0, 0, new byte[] {3, 4}, WAIT).payload()).containsExactly(4, 3);
    }
  }

  @Test
  void heapRequestsAreAnsweredOnlyWhenAskedFor() throws Exception {
    for (boolean requestHandler : new boolean[] {false, true}) {
      ServerLimits limits = new ServerLimits();
      limits.heapRequests = true;
      try (PacketServer server =
              RrServerCommand.start(Endpoint.loopback(0), requestHandler, limits);
          PacketConnection c =
              PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        Response heap = c.call(0, RrServerCommand.HEAP_TYPE, 0, new byte[0], WAIT);
        assertThat(heap.ok()).isTrue();
        assertThat(heap.text()).matches("heap_used=[1-9]\\d* connections=\\d+");
        assertThat(c.call(0, 0, 0, new byte[] {1, 2}, WAIT).payload()).containsExactly(2, 1);
      }
    }
    try (PacketServer plain = RrServers.start();
        PacketConnection c =
            PacketClient.connect("127.0.0.1", plain.port(), PacketConnection.builder())) {
      assertThat(c.call(0, RrServerCommand.HEAP_TYPE, 0, new byte[0], WAIT).ok()).isFalse();
    }
  }

  private static Socket connect(PacketServer server) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  /** Reads until the server closes; false if it stays open for 10 s of silence. */
  private static boolean readsToTheEnd(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // the server's goodbye (ERQ, EOF) before it closes
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset: closed all the same
    }
  }
}
