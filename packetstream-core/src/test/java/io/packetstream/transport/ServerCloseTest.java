package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A graceful close started by the server loses no request of a busy client: every request is
 * answered, refused with the closing text, or refused at submit once the client has read the
 * server's ERQ; none is left to end with the connection.
 */
@Timeout(60)
class ServerCloseTest {

  @Test
  void aBusyClientLosesNoRequestWhenTheServerClosesGracefully() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      PacketConnection serverSide = server.connections().get(0);
      List<CompletableFuture<Response>> sent = new ArrayList<>();
      Semaphore window = new Semaphore(16);
      AtomicBoolean closing = new AtomicBoolean();
      Thread closer =
          new Thread(
              () -> {
                closing.set(true);
                serverSide.close();
              });
      int refusedAtSubmit = 0;
      for (int i = 0; i < 200_000 && refusedAtSubmit == 0; i++) {
        if (i == 2000) {
          closer.start();
        }
        window.acquire();
        CompletableFuture<Response> f =
            client.submit(0, 1, 0, new byte[] {(byte) i}, Duration.ZERO);
        f.whenComplete((r, e) -> window.release());
        if (f.isCompletedExceptionally() && closing.get()) {
          refusedAtSubmit++;
        } else {
          sent.add(f);
        }
      }
      closer.join(20_000);
      int ok = 0;
      int refused = 0;
      for (CompletableFuture<Response> f : sent) {
        Response r;
        try {
          r = f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new AssertionError(
              "a request ended without an answer: " + e.getCause(), e.getCause());
        }
        if (r.ok()) {
          ok++;
        } else {
          assertThat(new String(r.payload(), StandardCharsets.US_ASCII))
              .isEqualTo("rejecting request: runstate.cancelled");
          refused++;
        }
      }
      // the close starts after request 2000 was sent, when up to the window's 16 of them may not
      // have reached the server yet: those may be refused (as runstate.cancelled), the rest not
      assertThat(ok).isGreaterThanOrEqualTo(2000 - 16);
      assertThat(refusedAtSubmit)
          .as("the client stopped once it read the server's ERQ")
          .isEqualTo(1);
      assertThat(ok + refused).isEqualTo(sent.size());
      CompletableFuture<Response> after = client.submit(0, 1, 0, new byte[0], Duration.ZERO);
      assertThat(after)
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(ConnectionClosedException.class);
    }
  }

  @Test
  void connectionsAbortedAtTheShutdownTimeoutAreLoggedAsAWarning() throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .handler(
                rq -> {
                  started.countDown();
                  release.await(30, TimeUnit.SECONDS);
                  return Response.ok(rq.payload());
                });
    try (LogCapture log = new LogCapture(PacketServer.class, "slow-drain:");
        PacketServer server =
            PacketServer.builder(serving)
                .name("slow-drain")
                .shutdownTimeout(Duration.ofMillis(300))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      client.submit(0, 1, 0, new byte[] {1}, Duration.ZERO);
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      server.close();

      assertThat(log.atLeast(java.util.logging.Level.WARNING))
          .singleElement()
          .extracting(java.util.logging.LogRecord::getMessage)
          .asString()
          .contains("1 connection(s) did not close within shutdownTimeout=300ms")
          .contains("1 request(s)");
    } finally {
      release.countDown();
    }
  }

  /**
   * A server drains its connections for its own shutdown timeout, whatever their closeTimeout: a
   * handler that needs longer than the connection's closeTimeout, and less than the server's
   * shutdown timeout, is answered. Each connection's own, shorter timeout cut it off, and without
   * the server's warning.
   */
  @Test
  void aHandlerWithinTheServersShutdownTimeoutIsAnsweredPastTheConnectionsCloseTimeout()
      throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .closeTimeout(Duration.ofMillis(200))
            .handler(
                rq -> {
                  started.countDown();
                  Thread.sleep(1000);
                  return Response.ok("done");
                });
    try (PacketServer server =
            PacketServer.builder(serving).shutdownTimeout(Duration.ofSeconds(20)).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      CompletableFuture<Response> answer = client.submit(0, 1, 0, new byte[] {1}, Duration.ZERO);
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      server.close();

      assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("done"));
    }
  }

  @Test
  void aNegativeCloseTimeoutIsRefusedAndTheConnectionStaysOpen() throws Exception {
    try (PacketServer server =
            PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok("x")))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.close(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("close timeout PT-1S is negative");
      assertThat(client.call(0, 1, 0, new byte[0], Duration.ofSeconds(10)).text()).isEqualTo("x");
    }
  }
}
