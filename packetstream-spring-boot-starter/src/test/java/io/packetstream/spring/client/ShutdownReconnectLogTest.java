package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * While the application shuts down, its server drains first and its clients close after: a client
 * of the application's own server loses its connection to the drain and finds the port closed when
 * it reconnects. That is the shutdown, not an outage, and is logged at DEBUG, not as a WARN.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class ShutdownReconnectLogTest {

  static final CountDownLatch SLOW_STARTED = new CountDownLatch(1);

  static class Slow {
    @PacketHandler(1)
    String slow(String text) throws InterruptedException {
      SLOW_STARTED.countDown();
      Thread.sleep(1500); // holds the server's drain up while the client reconnects
      return text;
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Slow.class)
  static class App {}

  @Test
  void aClientOfTheApplicationsOwnServerIsQuietWhileItShutsDown(CapturedOutput output)
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.main.banner-mode=off",
                "logging.level.io.packetstream.spring.client.PacketStreamClient=DEBUG",
                "packetstream.server.address=127.0.0.1",
                "packetstream.server.port=" + port,
                "packetstream.clients.self.host=127.0.0.1",
                "packetstream.clients.self.port=" + port,
                "packetstream.clients.self.reconnect.initial-delay=50ms",
                "packetstream.clients.self.reconnect.max-delay=100ms")
            .run();
    PacketConnection peer =
        PacketClient.connect("127.0.0.1", port, PacketConnection.builder().name("peer"));
    try {
      assertThat(
              context
                  .getBean(PacketClients.class)
                  .get("self")
                  .awaitConnected(Duration.ofSeconds(10)))
          .isTrue();
      CompletableFuture<Response> slow = peer.submit(0, 1, 0, "\"held\"".getBytes(), Duration.ZERO);
      assertThat(SLOW_STARTED.await(10, TimeUnit.SECONDS)).isTrue();

      context.close();

      assertThat(slow.get(10, TimeUnit.SECONDS).ok()).isTrue();
    } finally {
      peer.abort();
      context.close();
    }
    // the drain closed the client's connection, and it reconnected to the closed port
    assertThat(output.getOut().lines().filter(line -> line.contains("packetstream client self: ")))
        .anyMatch(line -> line.contains("reconnecting in"))
        .anyMatch(line -> line.contains("retrying in"))
        .allMatch(line -> line.contains(" DEBUG "));
  }
}
