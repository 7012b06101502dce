package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stall of the event loop (a GC pause, a machine too busy to run it) longer than the idle or read
 * timeout does not end a connection whose peer sent bytes meanwhile: the loop reads what waits
 * before it decides. A loop runs its due timers before it reads, so deciding in the timer would
 * close a talking peer as idle.
 */
@Timeout(60)
class TimeoutAfterLoopStallTest {

  /** Longer than the timeouts, which are long enough for a loaded machine to set the stall up. */
  private static final long STALL_MILLIS = 1500;

  private static final Duration TIMEOUT = Duration.ofMillis(1000);

  @Test
  void aRequestSentDuringAStallKeepsTheConnectionFromItsIdleTimeout() throws Exception {
    assertTalkingPeerSurvivesAStall(PacketConnection.builder().idleTimeout(TIMEOUT));
  }

  @Test
  void theRestOfAFrameSentDuringAStallKeepsTheConnectionFromItsReadTimeout() throws Exception {
    Pipe toServer = Pipe.open();
    Pipe fromServer = Pipe.open();
    try (EventLoopGroup serverLoop = EventLoopGroup.create(1)) {
      PacketConnection server =
          PacketConnection.builder()
              .eventLoops(serverLoop)
              .readTimeout(TIMEOUT)
              .handler(rq -> Response.ok(new byte[] {1}))
              .name("server")
              .open(toServer.source(), fromServer.sink());
      try {
        byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 0, new byte[100]));
        toServer.sink().write(ByteBuffer.wrap(frame, 0, 10));
        // the server holds a frame begun
        await().atMost(Duration.ofSeconds(10)).until(() -> server.bytesReceived() >= 10);
        stall(server);
        toServer.sink().write(ByteBuffer.wrap(frame, 10, frame.length - 10));

        CompletableFuture<Packet> answer =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return new PacketCodec().read(Channels.newInputStream(fromServer.source()));
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        assertThat(answer.get(10, TimeUnit.SECONDS))
            .isEqualTo(Packet.response(0, 2, true, 0, new byte[] {1}));
        assertThat(server.state()).isEqualTo(ConnectionState.OPEN);
      } finally {
        server.abort();
        toServer.sink().close();
        toServer.source().close();
        fromServer.sink().close();
        fromServer.source().close();
      }
    }
  }

  /** Blocks the connection's loop for {@link #STALL_MILLIS}; returns once it is blocked. */
  private static void stall(PacketConnection c) throws InterruptedException {
    CountDownLatch stalled = new CountDownLatch(1);
    c.loop()
        .execute(
            () -> {
              stalled.countDown();
              try {
                Thread.sleep(STALL_MILLIS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private void assertTalkingPeerSurvivesAStall(PacketConnection.Builder serving) throws Exception {
    try (EventLoopGroup serverLoop = EventLoopGroup.create(1);
        EventLoopGroup clientLoop = EventLoopGroup.create(1);
        ConnectedPair pair =
            new ConnectedPair(
                PacketConnection.builder().eventLoops(clientLoop),
                serving.eventLoops(serverLoop).handler(rq -> Response.ok(new byte[] {1})))) {
      // the server's side answers once, so that both ends are settled
      assertThat(pair.left.call(0, 0, 0, new byte[0], Duration.ofSeconds(10)).ok()).isTrue();
      stall(pair.right);
      CompletableFuture<Response> answer = pair.left.submit(0, 0, new byte[0]);

      assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok(new byte[] {1}));
      assertThat(pair.right.state()).isEqualTo(ConnectionState.OPEN);
    }
  }
}
