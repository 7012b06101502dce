package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PacketServer#close()} called by one of the server's own handlers: it used to wait for the
 * handler's connection to close, which waited for the handler, until the shutdown timeout aborted
 * the connection and lost the handler's answer; on the event loop it stalled every connection of
 * the loop meanwhile. Now it stops accepting, closes on a thread of its own, and returns.
 */
@Timeout(60)
class ServerCloseFromWithinTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final byte[] BYE = "bye".getBytes(StandardCharsets.UTF_8);

  @Test
  void aHandlerClosingItsServerStillAnswers() throws Exception {
    assertClosesFromWithin(PacketConnection.builder(), null);
  }

  @Test
  void aHandlerOnTheLoopClosingItsServerStallsNoOtherServer() throws Exception {
    try (EventLoopGroup oneLoop = EventLoopGroup.create(1);
        PacketServer other =
            PacketServer.builder(
                    PacketConnection.builder()
                        .eventLoops(oneLoop)
                        .handler(rq -> Response.ok(rq.payload())))
                .bindLoopback(0);
        PacketConnection toOther =
            PacketClient.connect("127.0.0.1", other.port(), PacketConnection.builder())) {
      assertClosesFromWithin(
          PacketConnection.builder().eventLoops(oneLoop).executor(Runnable::run), toOther);
    }
  }

  @Test
  void aHandlerClosingItsServerBeforeItListsTheConnectionStillAnswers() throws Exception {
    // the handler runs while the accepting thread has opened its connection but not yet listed it
    java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
    AtomicReference<PacketServer> server = new AtomicReference<>();
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .handler(
                rq -> {
                  handling.countDown();
                  server.get().close();
                  return Response.ok(BYE);
                });
    server.set(
        PacketServer.builder(serving).shutdownTimeout(Duration.ofSeconds(30)).bindLoopback(0));
    server.get().afterOpen(c -> awaitQuietly(handling));
    try (PacketConnection client =
        PacketClient.connect("127.0.0.1", server.get().port(), PacketConnection.builder())) {
      assertThat(client.submit(0, 1, new byte[0])).succeedsWithin(WAIT).isEqualTo(Response.ok(BYE));
    } finally {
      server.get().abort();
    }
  }

  private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A server on {@code serving} whose handler closes it; with {@code neighbour}, a connection to
   * another server on the same loop, that connection is used while the close goes on.
   */
  private static void assertClosesFromWithin(
      PacketConnection.Builder serving, PacketConnection neighbour) throws Exception {
    AtomicReference<PacketServer> server = new AtomicReference<>();
    AtomicReference<byte[]> neighbourSaw = new AtomicReference<>();
    serving.handler(
        rq -> {
          server.get().close();
          return Response.ok(BYE);
        });
    // longer than the test's waits: waiting it out here is the old defect
    server.set(
        PacketServer.builder(serving).shutdownTimeout(Duration.ofSeconds(30)).bindLoopback(0));
    try (PacketConnection client =
        PacketClient.connect("127.0.0.1", server.get().port(), PacketConnection.builder())) {
      Response answer =
          client
              .submit(0, 1, new byte[0])
              .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(answer).isEqualTo(Response.ok(BYE));
      if (neighbour != null) {
        neighbourSaw.set(neighbour.call(0, 1, 0, new byte[] {7}, WAIT).payload());
        assertThat(neighbourSaw.get()).containsExactly(7);
      }
      assertThat(server.get().isListening()).isFalse();
      assertThat(client.termination().toCompletableFuture())
          .as("the graceful close reaches the client")
          .succeedsWithin(WAIT);
    } finally {
      server.get().abort();
    }
  }
}
