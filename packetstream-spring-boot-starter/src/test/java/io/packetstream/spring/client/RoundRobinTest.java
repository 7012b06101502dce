package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Round-robin over the instances that take requests: when one of three is down, the other two share
 * its turns equally, rather than the one after it taking them all. A client context over three core
 * servers on 127.0.0.1.
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
}
