package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import io.packetstream.transport.PacketServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client with {@code readiness: true} is part of /actuator/health/readiness, over real HTTP: the
 * application is not ready while that peer is down, and ready once it is connected; a client
 * without it stays out of the group. Both when the application defines the group and when Boot's
 * probes make it.
 */
@Timeout(180)
class ClientReadinessTest {

  private static ConfigurableApplicationContext start(int readinessPort, int otherPort) {
    return startWith(
        readinessPort,
        otherPort,
        // the readiness group as applications define it: Boot's readinessState, shown in full
        "management.endpoint.health.group.readiness.include=readinessState",
        "management.endpoint.health.group.readiness.show-components=always");
  }

  /** Only Boot's probes: the readiness group is the one they make. */
  private static ConfigurableApplicationContext startWithProbesOnly(
      int readinessPort, int otherPort) {
    return startWith(readinessPort, otherPort);
  }

  private static ConfigurableApplicationContext startWith(
      int readinessPort, int otherPort, String... group) {
    return new SpringApplicationBuilder(TestApplication.class)
        .web(WebApplicationType.SERVLET)
        .properties(group)
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "management.endpoint.health.probes.enabled=true",
            "packetstream.clients.billing.host=127.0.0.1",
            "packetstream.clients.billing.port=" + readinessPort,
            "packetstream.clients.billing.readiness=true",
            "packetstream.clients.billing.reconnect.initial-delay=50ms",
            "packetstream.clients.billing.reconnect.max-delay=100ms",
            "packetstream.clients.reports.host=127.0.0.1",
            "packetstream.clients.reports.port=" + otherPort,
            "spring.main.banner-mode=off")
        .run();
  }

  private static HttpResponse<String> readiness(ConfigurableApplicationContext context)
      throws Exception {
    int http = context.getEnvironment().getProperty("local.server.port", Integer.class);
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/actuator/health/readiness"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static int deadPort() throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort();
    }
  }

  @Test
  void theApplicationIsNotReadyWhileAReadinessClientsPeerIsDown() throws Exception {
    try (ConfigurableApplicationContext context = start(deadPort(), deadPort())) {
      HttpResponse<String> down = readiness(context);
      assertThat(down.statusCode()).isEqualTo(503);
      JsonNode body = new JsonMapper().readTree(down.body());
      assertThat(body.at("/components/packetstream/components/billing/status").asString())
          .isEqualTo("DOWN");
      assertThat(body.at("/components/packetstream/components/reports").isMissingNode()).isTrue();
      assertThat(body.at("/components/readinessState/status").asString()).isEqualTo("UP");
    }
  }

  @Test
  void theApplicationIsReadyWhileTheReadinessClientIsConnectedWhateverOtherClientsDo()
      throws Exception {
    try (PacketServer peer = PacketServer.builder(PacketConnection.builder()).bindLoopback(0);
        ConfigurableApplicationContext context = start(peer.port(), deadPort())) {
      PacketStreamClient billing = context.getBean(PacketClients.class).get("billing");
      assertThat(billing.awaitConnected(Duration.ofSeconds(20))).isTrue();
      HttpResponse<String> ready = readiness(context);
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonNode body = new JsonMapper().readTree(ready.body());
      assertThat(body.at("/components/packetstream/components/billing/status").asString())
          .isEqualTo("UP");
      // the other client is down, but not part of readiness
      assertThat(body.at("/components/packetstream/components/reports").isMissingNode()).isTrue();
    }
  }

  private static Status billingHealth(ConfigurableApplicationContext context) {
    PacketStreamHealthContributor health =
        context.getBean("packetstreamHealthContributor", PacketStreamHealthContributor.class);
    return ((HealthIndicator) health.getContributor("billing")).health().getStatus();
  }

  @Test
  void withBootsProbeGroupTheApplicationIsNotReadyWhileAReadinessClientsPeerIsDown()
      throws Exception {
    try (ConfigurableApplicationContext context = startWithProbesOnly(deadPort(), deadPort())) {
      assertThat(billingHealth(context)).isEqualTo(Status.DOWN);
      HttpResponse<String> down = readiness(context);
      // Boot's probe group shows no components: its status is the clients' and readinessState's
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(new JsonMapper().readTree(down.body()).at("/status").asString()).isEqualTo("DOWN");
    }
  }

  @Test
  void withBootsProbeGroupTheApplicationIsReadyOnceTheReadinessClientIsConnected()
      throws Exception {
    try (PacketServer peer = PacketServer.builder(PacketConnection.builder()).bindLoopback(0);
        ConfigurableApplicationContext context = startWithProbesOnly(peer.port(), deadPort())) {
      PacketStreamClient billing = context.getBean(PacketClients.class).get("billing");
      assertThat(billing.awaitConnected(Duration.ofSeconds(20))).isTrue();
      assertThat(billingHealth(context)).isEqualTo(Status.UP);
      HttpResponse<String> ready = readiness(context);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(new JsonMapper().readTree(ready.body()).at("/status").asString()).isEqualTo("UP");
    }
  }

  /**
   * An optional client is UNKNOWN while its peer is down, which the readiness group passes over as
   * the overall health does: with readiness too it would leave the application ready while its peer
   * is down, so start-up refuses the pair.
   */
  @Test
  void aClientCannotBeBothOptionalAndDecideReadiness() throws Exception {
    int port = deadPort();
    SpringApplicationBuilder app =
        new SpringApplicationBuilder(TestApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.main.banner-mode=off",
                "management.endpoint.health.probes.enabled=true",
                "packetstream.clients.billing.host=127.0.0.1",
                "packetstream.clients.billing.port=" + port,
                "packetstream.clients.billing.optional=true",
                "packetstream.clients.billing.readiness=true");
    assertThatThrownBy(app::run)
        .rootCause()
        .isInstanceOfSatisfying(
            InvalidConfigurationPropertyValueException.class,
            e -> {
              assertThat(e.getName()).isEqualTo("packetstream.clients.billing.readiness");
              assertThat(e.getReason())
                  .contains("packetstream.clients.billing.optional")
                  .contains("remove one of the two");
            });
  }
}
