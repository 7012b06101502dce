package io.packetstream.spring.autoconfigure;

import static io.packetstream.spring.autoconfigure.StartupFailures.invalidProperty;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The clients auto-configuration: a client bean per name, connecting, failing and closing. */
class PacketStreamClientsAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class));

  @Test
  void clientsAreClosedWhenTheContextCloses() throws Exception {
    try (io.packetstream.transport.PacketServer peer =
        io.packetstream.transport.PacketServer.builder(
                io.packetstream.connection.PacketConnection.builder())
            .name("peer")
            .bindLoopback(0)) {
      PacketStreamClient[] client = new PacketStreamClient[1];
      runner
          .withPropertyValues(
              "packetstream.clients.peer.host=127.0.0.1",
              "packetstream.clients.peer.port=" + peer.port())
          .run(
              context -> {
                client[0] = context.getBean(PacketClients.class).get("peer");
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> client[0].status() == PacketStreamClient.Status.CONNECTED);
                assertThat(peer.connections()).hasSize(1);
              });
      assertThat(client[0].status()).isEqualTo(PacketStreamClient.Status.CLOSED);
      assertThat(client[0].connection()).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());
    }
  }

  @Test
  void eachClientIsAQualifiedBean() {
    runner
        .withPropertyValues(
            "packetstream.clients.alpha.port=1",
                "packetstream.clients.alpha.reconnect.enabled=false",
            "packetstream.clients.beta.port=1", "packetstream.clients.beta.reconnect.enabled=false")
        .withUserConfiguration(InjectsClients.class)
        .run(
            context -> {
              InjectsClients user = context.getBean(InjectsClients.class);
              assertThat(user.alpha.name()).isEqualTo("alpha");
              assertThat(user.beta.name()).isEqualTo("beta");
              assertThat(context.getBean(PacketClients.class).get("beta")).isSameAs(user.beta);
            });
  }

  @Test
  void failFastClientStopsStartUp() {
    runner
        .withPropertyValues(
            "packetstream.clients.gone.port=1",
            "packetstream.clients.gone.host=127.0.0.1",
            "packetstream.clients.gone.fail-fast=true")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .hasStackTraceContaining(
                        "packetstream client gone cannot connect (fail-fast)"));
  }

  @Test
  void aFailFastClientThatCannotConnectClosesTheClientsStartedBeforeIt() throws Exception {
    try (io.packetstream.transport.PacketServer peer =
        io.packetstream.transport.PacketServer.builder(
                io.packetstream.connection.PacketConnection.builder())
            .name("peer")
            .bindLoopback(0)) {
      runner
          .withPropertyValues(
              "packetstream.clients.first.host=127.0.0.1",
              "packetstream.clients.first.port=" + peer.port(),
              "packetstream.clients.first.fail-fast=true",
              "packetstream.clients.second.host=127.0.0.1",
              "packetstream.clients.second.port=" + closedPort(),
              "packetstream.clients.second.fail-fast=true")
          .run(
              context -> {
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .hasStackTraceContaining(
                        "packetstream client second cannot connect (fail-fast)");
                // the first client did connect before the second failed
                assertThat(peer.acceptedCount()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());
              });
    }
  }

  @Test
  void clientWithoutAddressIsAClearError() {
    runner
        .withPropertyValues("packetstream.clients.nowhere.host=x")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("packetstream.clients.nowhere.port is not set"));
  }

  @Test
  void anSslBundleOnAUnixSocketClientStopsStartUp() {
    runner
        .withPropertyValues(
            "packetstream.clients.local.unix-socket-path=/nonexistent/peer.sock",
            "packetstream.clients.local.ssl.bundle=client")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalidProperty(context);
              assertThat(e.getName()).isEqualTo("packetstream.clients.local.ssl.bundle");
              assertThat(e.getMessage()).contains("TLS is not available over a Unix domain socket");
            });
  }

  @Test
  void aLazyClientWarnsOfItsFirstFailedConnectOnly() throws Exception {
    // System.Logger goes to SLF4J, here Logback: listen there, at every level
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(PacketStreamClient.class.getName());
    List<ch.qos.logback.classic.spi.ILoggingEvent> records =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> recorder =
        new ch.qos.logback.core.AppenderBase<>() {
          @Override
          protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
            if (event.getFormattedMessage().startsWith("packetstream client lazy: ")) {
              records.add(event);
            }
          }
        };
    recorder.start();
    ch.qos.logback.classic.Level level = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.ALL);
    log.addAppender(recorder);
    try {
      runner
          .withPropertyValues(
              "packetstream.clients.lazy.host=127.0.0.1",
              "packetstream.clients.lazy.port=" + closedPort(),
              "packetstream.clients.lazy.reconnect.initial-delay=10ms",
              "packetstream.clients.lazy.reconnect.max-delay=20ms")
          .run(
              context -> {
                await().atMost(Duration.ofSeconds(10)).until(() -> records.size() >= 3);
                List<ch.qos.logback.classic.spi.ILoggingEvent> seen = List.copyOf(records);
                assertThat(seen.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                assertThat(seen.get(0).getFormattedMessage())
                    .contains("further failures are logged at DEBUG")
                    .contains("retrying in 10ms");
                assertThat(seen.subList(1, seen.size()))
                    .allMatch(r -> r.getLevel() == ch.qos.logback.classic.Level.DEBUG);
              });
    } finally {
      log.detachAppender(recorder);
      log.setLevel(level);
    }
  }

  @Test
  void aClientsIdleConnectionClosesAfterItsIdleTimeout() throws Exception {
    try (PacketServer peer =
        PacketServer.builder(PacketConnection.builder()).name("peer").bindLoopback(0)) {
      runner
          .withPropertyValues(
              "packetstream.clients.quiet.host=127.0.0.1",
              "packetstream.clients.quiet.port=" + peer.port(),
              "packetstream.clients.quiet.idle-timeout=200ms",
              "packetstream.clients.quiet.reconnect.enabled=false")
          .run(
              context -> {
                PacketStreamClient client = context.getBean(PacketClients.class).get("quiet");
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> client.status() == PacketStreamClient.Status.CLOSED);
                assertThat(peer.acceptedCount()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());
              });
    }
  }

  @Test
  void aClientWhosePeerStallsInTheMiddleOfAFrameFailsAfterItsReadTimeout() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread stall =
          new Thread(
              () -> {
                try (Socket s = peer.accept()) {
                  // a frame of 100 bytes announced, 2 of them sent, then nothing until the client
                  // leaves
                  s.getOutputStream().write(new byte[] {100, 1, 2});
                  s.getOutputStream().flush();
                  s.setSoTimeout(20_000);
                  while (s.getInputStream().read() >= 0) {
                    // whatever the client sends
                  }
                } catch (IOException e) {
                  // the client went away, or the test ended
                }
              },
              "stalling-peer");
      stall.setDaemon(true);
      stall.start();
      runner
          .withPropertyValues(
              "packetstream.clients.stalled.host=127.0.0.1",
              "packetstream.clients.stalled.port=" + peer.getLocalPort(),
              "packetstream.clients.stalled.read-timeout=200ms",
              "packetstream.clients.stalled.reconnect.enabled=false")
          .run(
              context -> {
                PacketStreamClient client = context.getBean(PacketClients.class).get("stalled");
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> client.status() == PacketStreamClient.Status.CLOSED);
                assertThat(client.lastFailure()).isPresent();
              });
      stall.join(10_000);
      assertThat(stall.isAlive()).isFalse();
    }
  }

  /** A port nothing listens on: one that was free a moment ago. */
  private static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static class InjectsClients {
    final PacketStreamClient alpha;
    final PacketStreamClient beta;

    InjectsClients(
        @Qualifier("alpha") PacketStreamClient alpha, @Qualifier("beta") PacketStreamClient beta) {
      this.alpha = alpha;
      this.beta = beta;
    }
  }
}
