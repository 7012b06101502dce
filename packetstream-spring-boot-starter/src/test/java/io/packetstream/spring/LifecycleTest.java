package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.ActivityTick;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The server and the clients through the application's life, each case in a fresh application over
 * real TCP: shutdown order, restart, a server closed from under the lifecycle, two ticks.
 */
@Timeout(90)
class LifecycleTest {

  /** Relays type 1 to the peer through the client {@code peer}, once released. */
  static class Relay {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final ObjectProvider<PacketClients> clients;

    Relay(ObjectProvider<PacketClients> clients) {
      this.clients = clients;
    }

    @PacketHandler(1)
    String relay(String text) throws Exception {
      started.countDown();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
      return "peer said " + clients.getObject().get("peer").call(1, 0, text.getBytes(UTF_8)).text();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    Relay relay(ObjectProvider<PacketClients> clients) {
      return new Relay(clients);
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class TwoTicks {
    final List<String> first = new CopyOnWriteArrayList<>();
    final List<String> second = new CopyOnWriteArrayList<>();

    @Bean
    ActivityTick firstTick() {
      return (name, label) -> first.add(label);
    }

    @Bean
    ActivityTick secondTick() {
      return (name, label) -> second.add(label);
    }

    @Bean
    Relay relay(ObjectProvider<PacketClients> clients) {
      return new Relay(clients);
    }
  }

  private PacketServer peer;

  @BeforeEach
  void startPeer() throws Exception {
    peer =
        PacketServer.builder(
                PacketConnection.builder().handler(rq -> Response.ok(rq.text().toUpperCase())))
            .name("peer")
            .bind(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stopPeer() {
    peer.close();
  }

  private ConfigurableApplicationContext start(Class<?> app, String... properties) {
    return new SpringApplicationBuilder(app)
        .web(WebApplicationType.NONE)
        .properties(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.clients.peer.host=127.0.0.1",
            "packetstream.clients.peer.port=" + peer.port(),
            "packetstream.clients.peer.fail-fast=true",
            "spring.main.banner-mode=off")
        .properties(properties)
        .run();
  }

  @Test
  void aHandlerCallsAClientWhileTheServerDrains() throws Exception {
    ConfigurableApplicationContext context = start(App.class);
    PacketStreamServer server = context.getBean(PacketStreamServer.class);
    Relay relay = context.getBean(Relay.class);
    PacketConnection requester =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    try {
      CompletableFuture<Response> answer = requester.submit(1, 0, "drain".getBytes(UTF_8));
      assertThat(relay.started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(context::close, r -> new Thread(r, "closing").start());
      await().atMost(Duration.ofSeconds(10)).until(() -> !server.isListening());
      relay.release.countDown();
      assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("peer said DRAIN"));
      closing.get(20, TimeUnit.SECONDS);
      // and the client did close, once the server had drained
      await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());
    } finally {
      relay.release.countDown();
      requester.abort();
      context.close();
    }
  }

  @Test
  void clientsAndServerStartAgainAfterTheContextStops() throws Exception {
    try (ConfigurableApplicationContext context = start(App.class)) {
      PacketStreamClient client = context.getBean(PacketClients.class).get("peer");
      PacketStreamServer server = context.getBean(PacketStreamServer.class);
      assertThat(client.call(1, 0, "one".getBytes(UTF_8)).text()).isEqualTo("ONE");

      context.stop();
      assertThat(server.isRunning()).isFalse();
      assertThat(client.status()).isEqualTo(PacketStreamClient.Status.CLOSED);
      await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());

      context.start();
      assertThat(server.isRunning()).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.status() == PacketStreamClient.Status.CONNECTED);
      assertThat(client.call(1, 0, "two".getBytes(UTF_8)).text()).isEqualTo("TWO");
    }
  }

  @Test
  void aServerClosedThroughItsCoreServerLetsTheJvmExit() throws Exception {
    // other tests' cached applications may run servers of the same name: this one's is new
    java.util.Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    try (ConfigurableApplicationContext context = start(App.class)) {
      PacketStreamServer server = context.getBean(PacketStreamServer.class);
      Thread keepAlive =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("packetstream-server-await-" + server.name()))
              .filter(t -> !before.contains(t))
              .findFirst()
              .orElseThrow();
      assertThat(keepAlive.isDaemon()).isFalse();
      server.server().orElseThrow().close();
      keepAlive.join(10_000);
      assertThat(keepAlive.isAlive()).as("the thread that keeps the JVM alive").isFalse();
      // the lifecycle still has to be stopped, and says so
      assertThat(server.isRunning()).isTrue();
      context.stop();
      assertThat(server.isRunning()).isFalse();
    }
  }

  @Test
  void anApplicationCanWaitForAClientWhosePeerComesLater() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.clients.late.host=127.0.0.1",
                "packetstream.clients.late.port=" + port,
                "packetstream.clients.late.reconnect.initial-delay=50ms",
                "packetstream.clients.late.reconnect.max-delay=100ms",
                "spring.main.banner-mode=off")
            .run()) {
      PacketStreamClient late = context.getBean(PacketClients.class).get("late");
      assertThat(late.awaitConnected(Duration.ofMillis(200))).isFalse();
      PacketServer comesLater =
          PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok("here")))
              .name("late")
              .bind(new InetSocketAddress("127.0.0.1", port));
      try {
        assertThat(late.awaitConnected(Duration.ofSeconds(10))).isTrue();
        assertThat(late.call(1, 0, new byte[0]).text()).isEqualTo("here");
      } finally {
        comesLater.close();
      }
    }
  }

  @Test
  void everyActivityTickBeanHearsEveryPacket() throws Exception {
    try (ConfigurableApplicationContext context = start(TwoTicks.class, "packetstream.tick=true")) {
      TwoTicks ticks = context.getBean(TwoTicks.class);
      PacketStreamClient client = context.getBean(PacketClients.class).get("peer");
      assertThat(client.call(1, 0, "t".getBytes(UTF_8)).text()).isEqualTo("T");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  ticks.first.contains(">Q")
                      && ticks.first.contains("<A")
                      && ticks.second.contains(">Q")
                      && ticks.second.contains("<A"));
    }
  }
}
