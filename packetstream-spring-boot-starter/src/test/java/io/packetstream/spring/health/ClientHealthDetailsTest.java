package io.packetstream.spring.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import io.packetstream.spring.autoconfigure.health.PacketStreamHealthContributorAutoConfiguration;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.transport.PacketServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A client's health details hold only what is known: a time that has not happened yet is absent,
 * never an empty string, and every time present is an ISO-8601 instant; for a connected client, one
 * that cannot connect, and a balanced client with one instance of each.
 */
@Timeout(60)
class ClientHealthDetailsTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class,
                  PacketStreamClientsAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  PacketStreamHealthContributorAutoConfiguration.class));

  @Test
  void detailsHaveNoEmptyStringsAndOnlyRealTimes() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (PacketServer peer =
        PacketServer.builder(PacketConnection.builder()).name("peer").bindLoopback(0)) {
      runner
          .withPropertyValues(
              "packetstream.clients.up.host=127.0.0.1",
              "packetstream.clients.up.port=" + peer.port(),
              "packetstream.clients.down.host=127.0.0.1",
              "packetstream.clients.down.port=" + closed,
              "packetstream.clients.down.reconnect.initial-delay=50ms",
              "packetstream.clients.many.addresses=127.0.0.1:"
                  + peer.port()
                  + ",127.0.0.1:"
                  + closed)
          .run(
              context -> {
                PacketClients clients = context.getBean(PacketClients.class);
                PacketStreamClient down = clients.get("down");
                assertThat(clients.get("up").awaitConnected(Duration.ofSeconds(10))).isTrue();
                assertThat(clients.get("many").awaitConnected(Duration.ofSeconds(10))).isTrue();
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> down.lastFailureAt().isPresent());
                PacketStreamHealthContributor health =
                    context.getBean(PacketStreamHealthContributor.class);
                for (String name : new String[] {"up", "down", "many"}) {
                  Health h = ((HealthIndicator) health.getContributor(name)).health(true);
                  checkDetails(name, h.getDetails());
                }
                Map<String, Object> up =
                    ((HealthIndicator) health.getContributor("up")).health(true).getDetails();
                assertThat(up).containsKey("openedAt");
                Map<String, Object> failed =
                    ((HealthIndicator) health.getContributor("down")).health(true).getDetails();
                assertThat(failed).containsKey("lastFailureAt").doesNotContainKey("openedAt");
              });
    }
  }

  /** No value is "", and every detail named like a time is an instant, at any depth. */
  private static void checkDetails(String path, Map<String, ?> details) {
    details.forEach(
        (key, value) -> {
          String at = path + "/" + key;
          assertThat(value).as(at).isNotNull().isNotEqualTo("");
          if (key.endsWith("At")) {
            assertThat(Instant.parse(value.toString())).as(at).isNotNull();
          }
          if (value instanceof Map<?, ?> nested) {
            @SuppressWarnings("unchecked")
            Map<String, ?> inner = (Map<String, ?>) nested;
            checkDetails(at, inner);
          }
        });
  }
}
