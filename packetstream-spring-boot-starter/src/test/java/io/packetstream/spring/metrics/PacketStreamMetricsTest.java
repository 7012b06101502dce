package io.packetstream.spring.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The cap on server connections with meters of their own, with a real registry and real sockets.
 */
class PacketStreamMetricsTest {

  private static long count(SimpleMeterRegistry registry, String connection) {
    io.micrometer.core.instrument.Timer t =
        registry
            .find("packetstream.requests.inbound")
            .tags("connection", connection, "outcome", "SUCCESS")
            .timer();
    return t == null ? -1 : t.count();
  }

  @Test
  void connectionsBeyondTheCapShareAggregateMeters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PacketStreamMetrics metrics = new PacketStreamMetrics(registry, 1);
    PacketConnection.Builder builder =
        PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));
    metrics.customize(builder, ConnectionRole.SERVER, "capped");
    try (PacketServer server =
        PacketServer.builder(builder).name("capped").bind(new InetSocketAddress("127.0.0.1", 0))) {
      PacketConnection first =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      PacketConnection second =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 2);

      first.call(1, 0, "a".getBytes(UTF_8));
      second.call(1, 0, "bb".getBytes(UTF_8));
      second.call(1, 0, "bb".getBytes(UTF_8));

      // the listener hears of a request's end just after its answer is sent: wait for it
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count(registry, "capped#1") == 1 && count(registry, "aggregate") == 2);
      assertThat(
              registry
                  .find("packetstream.requests.inbound")
                  .tags("connection", "capped#2")
                  .meters())
          .isEmpty();
      assertThat(
              registry
                  .find("packetstream.packets.received")
                  .tags("connection", "aggregate")
                  .functionCounter()
                  .count())
          .isEqualTo(2);
      assertThat(
              registry.find("packetstream.connections.open").tags("role", "server").gauge().value())
          .isEqualTo(2);

      first.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  registry
                          .find("packetstream.sent")
                          .tags("connection", "capped#1")
                          .meters()
                          .isEmpty()
                      && registry
                              .find("packetstream.connections.open")
                              .tags("role", "server")
                              .gauge()
                              .value()
                          == 1);
      second.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  registry
                          .find("packetstream.connections.open")
                          .tags("role", "server")
                          .gauge()
                          .value()
                      == 0);
      // a new connection gets meters of its own again now that there is room
      PacketConnection third =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      third.call(1, 0, "c".getBytes(UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> count(registry, "capped#3") == 1);
      third.close();
    }
  }

  private static long outcomes(
      SimpleMeterRegistry registry, String meter, String role, String outcome) {
    return registry.find(meter).tags("role", role, "outcome", outcome).timers().stream()
        .mapToLong(io.micrometer.core.instrument.Timer::count)
        .sum();
  }

  /** ok, fail, rejected, timeout, cancelled and error each land on timers of their own. */
  @Test
  void requestTimersTellEveryOutcomeApart() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // no server connection gets meters of its own: the aggregate ones outlive the connection
    PacketStreamMetrics metrics = new PacketStreamMetrics(registry, 0);
    CountDownLatch slowStarted = new CountDownLatch(1);
    CountDownLatch slowMayAnswer = new CountDownLatch(1);
    PacketConnection.Builder serverSide =
        PacketConnection.builder()
            .closeTimeout(
                Duration.ofMillis(200)) // do not wait long for handlers once the peer is gone
            .maxConcurrentRequests(1)
            .handler(
                rq ->
                    switch ((int) rq.rqType()) {
                      case 1 -> Response.ok(rq.payload());
                      case 2 -> Response.failure("no");
                      case 4 -> {
                        slowStarted.countDown();
                        slowMayAnswer.await();
                        yield Response.empty();
                      }
                      default -> Reply.later(new CompletableFuture<>()); // never answers
                    });
    metrics.customize(serverSide, ConnectionRole.SERVER, "outcomes");
    PacketConnection.Builder clientSide = PacketConnection.builder();
    metrics.customize(clientSide, ConnectionRole.CLIENT, "client");
    String in = "packetstream.requests.inbound";
    String out = "packetstream.requests.outbound";
    try (PacketServer server =
        PacketServer.builder(serverSide)
            .name("outcomes")
            .bind(new InetSocketAddress("127.0.0.1", 0))) {
      PacketConnection client = PacketClient.connect("127.0.0.1", server.port(), clientSide);
      client.call(1, 0, new byte[1]);
      client.call(2, 0, new byte[0]);
      // no handler on channel 5: refused before any handler runs
      client.submit(5, 1, 0, new byte[0], Duration.ZERO).get(10, TimeUnit.SECONDS);
      Assertions.assertThatThrownBy(
              () ->
                  client
                      .submit(0, 3, 0, new byte[0], Duration.ofMillis(50))
                      .get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TimeoutException.class);
      client.submit(0, 3, 0, new byte[0], Duration.ZERO).cancel(true);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(outcomes(registry, out, "client", "SUCCESS")).as("out ok").isEqualTo(1);
                assertThat(outcomes(registry, out, "client", "NOT_OK")).as("out fail").isEqualTo(2);
                assertThat(outcomes(registry, out, "client", "TIMEOUT"))
                    .as("out timeout")
                    .isEqualTo(1);
                assertThat(outcomes(registry, out, "client", "CANCELLED"))
                    .as("out cancelled")
                    .isEqualTo(1);
              });

      // a peer vanishes while its request waits for the one running: the waiting one ends in error
      PacketConnection vanishing = PacketClient.connect("127.0.0.1", server.port(), clientSide);
      CompletableFuture<Response> running = vanishing.submit(4, 0, new byte[0]);
      assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Response> queued = vanishing.submit(1, 0, new byte[0]);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  server.connections().stream()
                      .anyMatch(c -> c.name().equals("outcomes#2") && c.packetsReceived() == 2));
      vanishing.abort();
      client.abort();
      for (CompletableFuture<Response> f : List.of(running, queued)) {
        Assertions.assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(ConnectionClosedException.class);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().isEmpty());
      slowMayAnswer.countDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(outcomes(registry, in, "server", "SUCCESS")).as("in ok").isEqualTo(1);
                assertThat(outcomes(registry, in, "server", "SERVER_ERROR"))
                    .as("in fail")
                    .isEqualTo(1);
                assertThat(outcomes(registry, in, "server", "REJECTED"))
                    .as("in rejected")
                    .isEqualTo(1);
                // the vanished peer's queued request; the running one, which finished after its
                // connection had ended (the aggregate timers outlive the connection); and the
                // first client's two: the never-answered one, which ends with its connection, and
                // the cancelled one queued behind it
                assertThat(outcomes(registry, in, "server", "CLOSED")).as("in error").isEqualTo(4);
              });
    }
  }
}
