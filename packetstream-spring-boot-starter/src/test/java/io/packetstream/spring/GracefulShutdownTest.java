package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/** Shutting the application down lets a running handler finish and then ends the peer's stream. */
class GracefulShutdownTest {

  @Test
  void runningRequestsFinishAndPeersGetEof() throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TestApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.server.port=0",
                "packetstream.server.address=127.0.0.1",
                "packetstream.server.shutdown-timeout=20s",
                "spring.main.banner-mode=off")
            .run();
    PacketStreamServer server = context.getBean(PacketStreamServer.class);
    HealthContributors health = context.getBean(PacketStreamHealthContributor.class);
    TestHandlers handlers = context.getBean(TestHandlers.class);
    PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    try {
      CompletableFuture<Response> slow = client.submit(30, 0, new byte[0]);
      assertThat(handlers.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(context::close, r -> new Thread(r).start());
      await().atMost(Duration.ofSeconds(10)).until(() -> !server.isListening());
      assertThat(closing).isNotDone();
      assertThat(slow).isNotDone();
      // while it drains: the server no longer listens, and says it has a draining connection
      assertThat(status(health, "server")).isEqualTo(Status.DOWN);
      assertThat(((HealthIndicator) health.getContributor("server")).health().getDetails())
          .containsEntry("draining", 1L);

      handlers.slowRelease.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("slow done"));
      closing.get(20, TimeUnit.SECONDS);
      assertThat(client.join(Duration.ofSeconds(10))).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> client.state().isTerminal());
      assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    } finally {
      handlers.slowRelease.countDown();
      client.abort();
      context.close();
    }
  }

  /**
   * The server drains on a thread of its own: the context's shutdown waits for it only as long as
   * spring.lifecycle.timeout-per-shutdown-phase allows, and the drain goes on meanwhile.
   */
  @Test
  void shutdownPhaseTimeoutBoundsTheWaitForTheDrain() throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TestApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.server.port=0",
                "packetstream.server.address=127.0.0.1",
                "packetstream.server.shutdown-timeout=20s",
                "spring.lifecycle.timeout-per-shutdown-phase=1s",
                "spring.main.banner-mode=off")
            .run();
    PacketStreamServer server = context.getBean(PacketStreamServer.class);
    TestHandlers handlers = context.getBean(TestHandlers.class);
    PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    try {
      CompletableFuture<Response> slow = client.submit(30, 0, new byte[0]);
      assertThat(handlers.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

      // a drain inside stop() would hold close() until the handler gives up, 20 s from now
      CompletableFuture.runAsync(context::close, r -> new Thread(r).start())
          .get(10, TimeUnit.SECONDS);
      assertThat(slow).isNotDone();

      handlers.slowRelease.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("slow done"));
      assertThat(client.join(Duration.ofSeconds(10))).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> client.state().isTerminal());
      assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    } finally {
      handlers.slowRelease.countDown();
      client.abort();
      context.close();
    }
  }

  private static Status status(HealthContributors health, String name) {
    return ((HealthIndicator) health.getContributor(name)).health().getStatus();
  }

  @Test
  void invalidHandlersAreExplainedAtStartUp() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(TestApplication.class, BrokenHandlers.class)
                    .web(WebApplicationType.NONE)
                    .properties("spring.main.banner-mode=off")
                    .run())
        .isInstanceOf(io.packetstream.spring.handler.InvalidPacketHandlerException.class)
        .hasMessageContaining("request type 2 on channel 0 has 2 handlers")
        .hasMessageContaining("TestHandlers.upper(String)")
        .hasMessageContaining("BrokenHandlers.alsoUpper(String)");
  }

  /** Clashes with {@link TestHandlers#upper}. */
  static class BrokenHandlers {
    @io.packetstream.spring.handler.PacketHandler(2)
    String alsoUpper(String s) {
      return s;
    }
  }
}
