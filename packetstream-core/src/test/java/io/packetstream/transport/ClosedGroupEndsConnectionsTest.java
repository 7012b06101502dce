package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing an event loop group ends every connection on it as failed, saying the group closed: those
 * over a socket channel, which the group's loops read and write, and those over a {@code Socket},
 * which read and write on threads of their own and take only their timers from the group. The
 * latter used to stay open with every timer dead: no idle or read timeout, no probe, and a graceful
 * close that cut off at once.
 */
@Timeout(60)
class ClosedGroupEndsConnectionsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aSocketConnectionEndsFailedWithItsPendingRequestWhenItsGroupCloses() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (PacketServer server = PacketServer.builder(holding(release)).bindLoopback(0)) {
      EventLoopGroup group = EventLoopGroup.create("closing-streams", 1);
      try (PacketConnection client =
          PacketClient.connect(
              new InetSocketAddress("127.0.0.1", server.port()),
              WAIT,
              SocketFactory.getDefault(),
              PacketConnection.builder().eventLoops(group).idleTimeout(Duration.ofSeconds(30)))) {
        assertThat(client.call(0, 1, 0, new byte[0], WAIT).ok()).isTrue();
        CompletableFuture<Response> pending = client.submit(2, 0, new byte[0]);

        group.close();

        assertEndedFailedNamingTheGroup(client, "closing-streams");
        assertThatThrownBy(() -> pending.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(ConnectionClosedException.class)
            .hasMessageContaining("event loop group closing-streams is closed");
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void aChannelConnectionEndsFailedNamingTheGroupWhenItsGroupCloses() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (PacketServer server = PacketServer.builder(holding(release)).bindLoopback(0)) {
      EventLoopGroup group = EventLoopGroup.create("closing-channels", 1);
      try (PacketConnection client =
          PacketClient.connect(
              "127.0.0.1", server.port(), PacketConnection.builder().eventLoops(group))) {
        CompletableFuture<Response> pending = client.submit(2, 0, new byte[0]);

        group.close();

        assertEndedFailedNamingTheGroup(client, "closing-channels");
        assertThatThrownBy(() -> pending.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(ConnectionClosedException.class);
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void closingAGroupLeavesTheSharedGroupsConnectionsServing() throws Exception {
    try (PacketServer server =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.empty()))
            .bindLoopback(0)) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
      EventLoopGroup group = EventLoopGroup.create("closing-beside-shared", 1);
      try (PacketConnection onShared =
              PacketClient.connect(
                  address, WAIT, SocketFactory.getDefault(), PacketConnection.builder());
          PacketConnection onGroup =
              PacketClient.connect(
                  address,
                  WAIT,
                  SocketFactory.getDefault(),
                  PacketConnection.builder().eventLoops(group))) {
        group.close();
        assertEndedFailedNamingTheGroup(onGroup, "closing-beside-shared");

        assertThat(onShared.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(onShared.call(0, 1, 0, new byte[0], WAIT).ok()).isTrue();
        assertThatThrownBy(() -> EventLoopGroup.shared().close())
            .isInstanceOf(IllegalStateException.class);
      }
    }
  }

  /** A server whose requests of type 2 are answered only once {@code release} opens. */
  private static PacketConnection.Builder holding(CountDownLatch release) {
    return PacketConnection.builder()
        .handler(
            rq -> {
              if (rq.rqType() == 2) {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              }
              return Response.empty();
            });
  }

  private static void assertEndedFailedNamingTheGroup(PacketConnection connection, String group)
      throws Exception {
    connection.termination().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(connection.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(connection.failure())
        .get()
        .extracting(Throwable::getMessage)
        .asString()
        .contains("event loop group " + group + " is closed");
  }
}
