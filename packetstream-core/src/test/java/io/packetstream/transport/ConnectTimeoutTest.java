package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code PacketClient.connect}'s timeout bounds the connect whatever its size: one under a
 * millisecond waited for ever (0 ms, which a socket reads as no limit), one over 24 days threw
 * ArithmeticException; an unknown host is named in the exception, which said only null.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectTimeoutTest {

  @Test
  void aTimeoutUnderAMillisecondEndsTheConnectToAPortThatNeverAnswers() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<Socket> queued = new ArrayList<>();
    // a listener that never accepts: once its queue is full the system drops further SYNs
    try (ServerSocket full = new ServerSocket(0, 1, loopback)) {
      InetSocketAddress address = new InetSocketAddress(loopback, full.getLocalPort());
      boolean blackholed = false;
      for (int i = 0; i < 20 && !blackholed; i++) {
        Socket s = new Socket();
        queued.add(s);
        try {
          s.connect(address, 200);
        } catch (SocketTimeoutException e) {
          blackholed = true;
        }
      }
      assertThat(blackholed).as("the listener's queue fills").isTrue();

      for (Duration timeout : List.of(Duration.ofNanos(1), Duration.ofNanos(500_000))) {
        assertThatThrownBy(() -> PacketClient.connect(address, timeout, PacketConnection.builder()))
            .as("connect with a timeout of %s", timeout)
            .isInstanceOf(SocketTimeoutException.class);
      }
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }

  @Test
  void aTimeoutOfMonthsConnectsOrIsRefusedAsAnyOther() throws Exception {
    Duration months = Duration.ofDays(60);
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder().handler(rq -> Response.ok(rq.payload())))
                .bindLoopback(0);
        PacketConnection conn =
            PacketClient.connect(
                new InetSocketAddress("127.0.0.1", server.port()),
                months,
                PacketConnection.builder())) {
      assertThat(conn.call(1, 0, new byte[] {3})).isEqualTo(Response.ok(new byte[] {3}));
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                PacketClient.connect(
                    new InetSocketAddress("127.0.0.1", closed), months, PacketConnection.builder()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void anUnknownHostIsNamed() {
    assertThatThrownBy(
            () -> PacketClient.connect("no-such-host.invalid", 9, PacketConnection.builder()))
        .isInstanceOf(UnknownHostException.class)
        .hasMessageContaining("no-such-host.invalid");
  }
}
