package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 6: {@code close()} called from a traffic listener (in {@code requestFinished} of
 * the peer's request, or in {@code packetSent} of an answer) must not wait for itself, and the
 * answer being written still reaches the peer.
 */
@Timeout(60)
class CloseFromListenerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Closes the connection once, from whichever event {@code trigger} picks. */
  private abstract static class ClosesOnce implements TrafficListener {
    final CompletableFuture<Void> closeReturned = new CompletableFuture<>();
    private final AtomicBoolean done = new AtomicBoolean();

    void closeOnce(PacketConnection connection) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      try {
        connection.close();
        closeReturned.complete(null);
      } catch (Throwable e) {
        closeReturned.completeExceptionally(e);
      }
    }
  }

  @Test
  void closeInRequestFinishedOfAnInboundRequestDoesNotWaitForItself() throws Exception {
    closesFromAListener(
        new ClosesOnce() {
          @Override
          public void requestFinished(
              PacketConnection connection,
              Direction direction,
              long channel,
              long tag,
              long rqType,
              Outcome outcome,
              long nanos) {
            if (direction == Direction.INBOUND) {
              closeOnce(connection);
            }
          }
        },
        "close-in-finished");
  }

  @Test
  void closeInPacketSentOfAnAnswerDoesNotWaitForItself() throws Exception {
    closesFromAListener(
        new ClosesOnce() {
          @Override
          public void packetSent(PacketConnection connection, Packet packet, int bytes) {
            if (!packet.request()) {
              closeOnce(connection);
            }
          }
        },
        "close-in-sent");
  }

  private static void closesFromAListener(ClosesOnce listener, String name) throws Exception {
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .closeTimeout(Duration.ofSeconds(60))
                    .handler(rq -> Response.ok(rq.payload()))
                    .listener(listener))
            .name(name)
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder().name(name + "-client"));
    try {
      await().atMost(WAIT).until(() -> server.connections().size() == 1);
      PacketConnection serverSide = server.connections().get(0);

      CompletableFuture<Response> request = client.submit(1, 0, new byte[] {4, 2});

      assertThat(request.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok(new byte[] {4, 2}));
      listener.closeReturned.get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> serverSide.state().isTerminal());
      assertThat(serverSide.state()).isEqualTo(ConnectionState.CLOSED);
    } finally {
      client.abort();
      server.abort();
    }
  }
}
