package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Round-robin over the instances that take requests: when one of three is down, the other two share
 * its turns equally, rather than the one after it taking them all; a draining instance takes none,
 * and a call that finds no other says so. Client contexts over core servers on 127.0.0.1.
 */
@Timeout(60)
class RoundRobinTest {

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class ClientApp {}

  @Test
  void aDownInstancesTurnsAreSharedByTheOthers() throws Exception {
    try (TestPeer a = new TestPeer("a");
        TestPeer b = new TestPeer("b");
        TestPeer c = new TestPeer("c");
        ConfigurableApplicationContext context =
            new SpringApplicationBuilder(ClientApp.class)
                .web(WebApplicationType.NONE)
                .properties(
                    "spring.main.banner-mode=off",
                    "packetstream.clients.echo.addresses="
                        + a.address()
                        + ","
                        + b.address()
                        + ","
                        + c.address(),
                    "packetstream.clients.echo.reconnect.initial-delay=50ms",
                    "packetstream.clients.echo.reconnect.max-delay=200ms")
                .run()) {
      PacketStreamClient echo = context.getBean(PacketClients.class).get("echo");
      await().atMost(Duration.ofSeconds(30)).until(() -> connected(echo) == 3);

      b.kill();
      await().atMost(Duration.ofSeconds(30)).until(() -> connected(echo) == 2);
      for (int i = 0; i < 20; i++) {
        assertThat(echo.call(1, 0, new byte[0]).ok()).isTrue();
      }

      assertThat(a.answered.get()).as("a").isEqualTo(10);
      assertThat(c.answered.get()).as("c").isEqualTo(10);
    }
  }

  private static long connected(PacketStreamClient balanced) {
    return balanced.instances().stream()
        .filter(i -> i.status() == PacketStreamClient.Status.CONNECTED)
        .count();
  }

  /**
   * An instance whose peer has begun to close (it sent ERQ, and drains what it runs) takes no
   * requests, and the failure of a call that finds no other says it is draining, not open.
   */
  @Test
  void aCallWithOnlyADrainingInstanceSaysItIsDraining() throws Exception {
    try (TestPeer a = new TestPeer("a");
        ConfigurableApplicationContext context =
            new SpringApplicationBuilder(ClientApp.class)
                .web(WebApplicationType.NONE)
                .properties(
                    "spring.main.banner-mode=off",
                    "packetstream.clients.echo.addresses=" + a.address(),
                    "packetstream.clients.echo.reconnect.initial-delay=50ms")
                .run()) {
      PacketStreamClient echo = context.getBean(PacketClients.class).get("echo");
      await().atMost(Duration.ofSeconds(30)).until(() -> connected(echo) == 1);
      a.hold = true;
      CompletableFuture<Response> held = echo.submit(1, 0, new byte[0]);
      await().atMost(Duration.ofSeconds(30)).until(() -> a.held.get() == 1);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(a.server::close);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> echo.status() != PacketStreamClient.Status.CONNECTED);

      assertThatThrownBy(() -> echo.submit(1, 0, new byte[0]).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ConnectionClosedException.class)
          .cause()
          .hasMessageContaining("(1 known: echo[" + a.address() + "] draining)");

      a.release.complete(Response.ok("late"));
      assertThat(held.get(30, TimeUnit.SECONDS).ok()).isTrue();
      closing.get(30, TimeUnit.SECONDS);
    }
  }
}
