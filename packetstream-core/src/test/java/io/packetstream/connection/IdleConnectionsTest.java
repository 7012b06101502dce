package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, cost per connection: one server holds 2,000 idle connections, each of which has been
 * answered once, with a thread count that does not grow with the number of connections.
 */
@Timeout(120)
class IdleConnectionsTest {

  private static final int CONNECTIONS = 2000;

  /** Threads the test may add in all, far below the two or more a connection costs today. */
  private static final int MAX_EXTRA_THREADS = 64;

  @Test
  void holdsTwoThousandIdleConnectionsWithABoundedThreadCount() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int before = threads.getThreadCount();
    // handlers on the reader's thread: a handler pool's threads would blur what connections cost
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .executor(Runnable::run)
                    .handler(rq -> Response.ok(rq.payload())))
            .name("idle")
            .bindLoopback(0);
    List<PacketConnection> clients = new ArrayList<>();
    try {
      List<CompletableFuture<Response>> answers = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        PacketConnection c =
            PacketClient.connect(
                "127.0.0.1", server.port(), PacketConnection.builder().name("idle-client-" + i));
        clients.add(c);
        answers.add(c.submit(1, 0, new byte[] {(byte) i}));
        if ((i + 1) % 100 == 0) {
          // on an engine with threads per connection, stop long before the machine runs out
          assertThat(threads.getThreadCount() - before)
              .as("threads added for %d connections", i + 1)
              .isLessThan(MAX_EXTRA_THREADS);
        }
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      for (int i = 0; i < CONNECTIONS; i++) {
        assertThat(answers.get(i).join()).isEqualTo(Response.ok(new byte[] {(byte) i}));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.connections().size() == CONNECTIONS);
      assertThat(clients).allMatch(c -> c.state() == ConnectionState.OPEN);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(threads.getThreadCount() - before)
                      .as("threads added for %d idle connections", CONNECTIONS)
                      .isLessThan(MAX_EXTRA_THREADS));
    } finally {
      for (PacketConnection c : clients) {
        c.abort();
      }
      server.abort();
    }
  }
}
