package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 3: {@code open()} racing the last {@code close()} (close then open in a response
 * callback) must be refused, not start the connection a second time on the same socket.
 */
@Timeout(60)
class ReopenAfterLastCloseTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void openAfterTheLastCloseInAResponseCallbackIsRefused() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          answer.await(30, TimeUnit.SECONDS);
                          return Response.ok(rq.payload());
                        }))
            .name("reopen-server")
            .bindLoopback(0);
    RecordingListener events = new RecordingListener();
    PacketConnection conn =
        PacketClient.connect(
            "127.0.0.1",
            server.port(),
            PacketConnection.builder().name("reopen-client").listener(events));
    try {
      Thread caller = Thread.currentThread();
      CompletableFuture<Throwable> openOutcome = new CompletableFuture<>();
      conn.submit(1, 0, new byte[] {1})
          .thenRun(
              () -> {
                if (Thread.currentThread() == caller) {
                  openOutcome.completeExceptionally(
                      new AssertionError("the callback ran on the test thread"));
                  return;
                }
                conn.close(); // the last close
                try {
                  conn.open();
                  openOutcome.complete(null);
                } catch (Throwable e) {
                  openOutcome.complete(e);
                }
              });
      answer.countDown();

      assertThat(openOutcome.get(10, TimeUnit.SECONDS))
          .as("what open() threw after the last close (null: it returned normally)")
          .isInstanceOf(IllegalStateException.class);
      await().atMost(WAIT).until(() -> conn.state().isTerminal());
      assertThat(conn.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(events.opened).as("times the connection started").isEqualTo(1);
      await().atMost(WAIT).until(() -> events.closed.size() >= 1);
      assertThat(events.closed).hasSize(1);
    } finally {
      answer.countDown();
      conn.abort();
      server.abort();
    }
  }
}
