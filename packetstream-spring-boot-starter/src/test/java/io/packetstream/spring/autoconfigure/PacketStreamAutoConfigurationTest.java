package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.autoconfigure.metrics.PacketStreamMetricsAutoConfiguration;
import io.packetstream.spring.autoconfigure.health.PacketStreamHealthContributorAutoConfiguration;
import io.packetstream.spring.autoconfigure.endpoint.PacketStreamEndpointAutoConfiguration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.endpoint.PacketStreamEndpoint;
import io.packetstream.spring.handler.InvalidPacketHandlerException;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerFailureAnalyzer;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import io.packetstream.spring.metrics.PacketStreamMetrics;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** Which beans each condition of the starter's auto-configurations yields, and property binding. */
class PacketStreamAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          JacksonAutoConfiguration.class,
          PacketStreamAutoConfiguration.class,
          PacketStreamServerAutoConfiguration.class,
          PacketStreamClientsAutoConfiguration.class,
          PacketStreamMetricsAutoConfiguration.class,
          HealthContributorAutoConfiguration.class,
          PacketStreamHealthContributorAutoConfiguration.class,
          PacketStreamEndpointAutoConfiguration.class));

  @Test
  void coreBeansWithoutServerWhenNoPortIsSet() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(PacketHandlers.class)
          .hasSingleBean(PacketConnectionBuilders.class)
          .hasSingleBean(JacksonPayloadCodec.class)
          .hasSingleBean(PacketClients.class)
          .doesNotHaveBean(PacketStreamServer.class)
          .doesNotHaveBean(PacketStreamMetrics.class)
          .doesNotHaveBean(PacketStreamEndpoint.class);
    });
  }

  @Test
  void serverWhenAPortIsSet() {
    runner.withPropertyValues("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .run(context -> {
          assertThat(context).hasSingleBean(PacketStreamServer.class);
          PacketStreamServer server = context.getBean(PacketStreamServer.class);
          assertThat(server.isListening()).isTrue();
          assertThat(context.getEnvironment().getProperty("local.packetstream.server.port", Integer.class))
              .isEqualTo(server.port());
        });
  }

  @Test
  void serverOnAUnixSocket() {
    Path path = Path.of(System.getProperty("java.io.tmpdir"), "ps-starter-" + ProcessHandle.current().pid() + ".sock");
    runner.withPropertyValues("packetstream.server.unix-socket-path=" + path).run(context -> {
      PacketStreamServer server = context.getBean(PacketStreamServer.class);
      assertThat(server.isListening()).isTrue();
      assertThat(server.port()).isEqualTo(-1);
      assertThat(path).exists();
    });
  }

  @Test
  void theUnixSocketServerAnswersRequests() {
    Path path = Path.of(System.getProperty("java.io.tmpdir"), "ps-rq-" + ProcessHandle.current().pid() + ".sock");
    runner.withPropertyValues("packetstream.server.unix-socket-path=" + path)
        .withUserConfiguration(OneHandler.class).run(context -> {
          try (io.packetstream.connection.PacketConnection c = io.packetstream.transport.PacketClient
              .connect(path, io.packetstream.connection.PacketConnection.builder())) {
            assertThat(c.call(1, 0, "over unix".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(io.packetstream.connection.Response.ok("over unix"));
          }
        });
    assertThat(path).doesNotExist();
  }

  @Test
  void clientsAreClosedWhenTheContextCloses() throws Exception {
    try (io.packetstream.transport.PacketServer peer = io.packetstream.transport.PacketServer
        .builder(io.packetstream.connection.PacketConnection.builder()).name("peer")
        .bindLoopback(0)) {
      PacketStreamClient[] client = new PacketStreamClient[1];
      runner.withPropertyValues("packetstream.clients.peer.host=127.0.0.1",
              "packetstream.clients.peer.port=" + peer.port())
          .run(context -> {
            client[0] = context.getBean(PacketClients.class).get("peer");
            await().atMost(Duration.ofSeconds(10))
                .until(() -> client[0].status() == PacketStreamClient.Status.CONNECTED);
            assertThat(peer.connections()).hasSize(1);
          });
      assertThat(client[0].status()).isEqualTo(PacketStreamClient.Status.CLOSED);
      assertThat(client[0].connection()).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());
    }
  }

  @Test
  void theDefaultTickWritesEveryPacketToStandardError() throws Exception {
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      runner.withPropertyValues("packetstream.tick=true", "packetstream.server.port=0",
              "packetstream.server.address=127.0.0.1")
          .withUserConfiguration(OneHandler.class).run(context -> {
            int port = context.getBean(PacketStreamServer.class).port();
            try (io.packetstream.connection.PacketConnection c = io.packetstream.transport.PacketClient
                .connect("127.0.0.1", port, io.packetstream.connection.PacketConnection.builder())) {
              c.call(1, 0, new byte[0]);
            }
            // the server's side: the request in, the answer out
            await().atMost(Duration.ofSeconds(10)).until(() ->
                captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("<Q")
                    && captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains(">A"));
          });
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void noServerWhenDisabled() {
    runner.withPropertyValues("packetstream.server.port=0", "packetstream.server.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamServer.class));
  }

  @Test
  void userCodecReplacesJackson() {
    runner.withUserConfiguration(UserCodec.class).run(context -> {
      assertThat(context).doesNotHaveBean(JacksonPayloadCodec.class);
      assertThat(context.getBean(PayloadCodec.class)).isSameAs(context.getBean("userCodec"));
    });
  }

  @Test
  void noCodecWithoutJackson() {
    runner.withClassLoader(new FilteredClassLoader(JsonMapper.class))
        .run(context -> assertThat(context).doesNotHaveBean(PayloadCodec.class));
  }

  @Test
  void userBeansReplaceTheStartersOwn() {
    runner.withUserConfiguration(UserBuilders.class)
        .run(context -> assertThat(context.getBean(PacketConnectionBuilders.class))
            .isSameAs(context.getBean("userBuilders")));
  }

  @Test
  void metricsWithARegistry() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context).hasSingleBean(PacketStreamMetrics.class));
  }

  @Test
  void noMetricsWhenDisabled() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("packetstream.metrics.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamMetrics.class));
  }

  @Test
  void noMetricsWithoutMicrometer() {
    runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamMetrics.class));
  }

  @Test
  void healthContributorNamedPacketstreamForAServer() {
    runner.withPropertyValues("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .run(context -> assertThat(context).hasSingleBean(PacketStreamHealthContributor.class)
            .hasBean("packetstreamHealthContributor"));
  }

  @Test
  void healthContributorForClientsWithoutAServer() {
    runner.withPropertyValues("packetstream.clients.a.port=1",
            "packetstream.clients.a.reconnect.enabled=false")
        .run(context -> assertThat(context).hasSingleBean(PacketStreamHealthContributor.class));
  }

  @Test
  void noHealthComponentWithoutServerOrClients() {
    runner.run(context -> assertThat(context).doesNotHaveBean(PacketStreamHealthContributor.class)
        .doesNotHaveBean("packetstreamHealthContributor"));
  }

  @ParameterizedTest
  @CsvSource({"server, server"})
  void aClientWhoseHealthEntryCollidesStopsStartUp(String name, String entry) {
    runner.withPropertyValues("packetstream.clients[" + name + "].port=1",
            "packetstream.clients[" + name + "].reconnect.enabled=false")
        .run(context -> {
          InvalidConfigurationPropertyValueException e = invalidProperty(context);
          assertThat(e.getName()).isEqualTo("packetstream.clients." + name);
          assertThat(e.getMessage()).contains("health entry");
        });
  }

  @Test
  void twoClientsWithTheSameHealthEntryStopStartUp() {
    runner.withPropertyValues("packetstream.clients[a b].port=1", "packetstream.clients[a-b].port=1")
        .run(context -> assertThat(invalidProperty(context).getMessage())
            .contains("its health entry 'a-b' is also that of client"));
  }

  @Test
  void noHealthWhenDisabled() {
    runner.withPropertyValues("management.health.packetstream.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamHealthContributor.class));
  }

  @Test
  void noHealthWithoutBootHealth() {
    runner.withClassLoader(new FilteredClassLoader(HealthContributor.class))
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamHealthContributor.class));
  }

  @Test
  void endpointWhenExposed() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=packetstream")
        .run(context -> assertThat(context).hasSingleBean(PacketStreamEndpoint.class));
  }

  @Test
  void bindsEveryPropertyGroup() {
    runner.withPropertyValues(
        "packetstream.packet-grace=10ms",
        "packetstream.read-spin=50us",
        "packetstream.tick=true",
        "packetstream.max-frame-size=1MB",
        "packetstream.max-concurrent-requests=8",
        "packetstream.max-queued-requests=16",
        "packetstream.max-queued-request-bytes=2MB",
        "packetstream.max-queued-answer-bytes=3MB",
        "packetstream.max-pending-requests=32",
        "packetstream.request-timeout=5s",
        "packetstream.close-timeout=2s",
        "packetstream.send-erq=false",
        "packetstream.server.shutdown-timeout=3s",
        "packetstream.server.max-connections=7",
        "packetstream.server.ssl.bundle=srv",
        "packetstream.metrics.max-tagged-connections=5",
        "packetstream.clients.billing.host=billing.example",
        "packetstream.clients.billing.port=9000",
        "packetstream.clients.billing.connect-timeout=4s",
        "packetstream.clients.billing.reconnect.initial-delay=1s",
        "packetstream.clients.billing.reconnect.max-delay=1m",
        "packetstream.clients.billing.reconnect.multiplier=3",
        "packetstream.clients.billing.reconnect.enabled=false").run(context -> {
          PacketStreamProperties p = context.getBean(PacketStreamProperties.class);
          assertThat(p.getPacketGrace()).isEqualTo(Duration.ofMillis(10));
          assertThat(p.getReadSpin()).isEqualTo(Duration.ofNanos(50_000));
          assertThat(p.isTick()).isTrue();
          assertThat(p.getMaxFrameSize()).isEqualTo(DataSize.ofMegabytes(1));
          assertThat(p.getMaxConcurrentRequests()).isEqualTo(8);
          assertThat(p.getMaxQueuedRequests()).isEqualTo(16);
          assertThat(p.getMaxQueuedRequestBytes()).isEqualTo(DataSize.ofMegabytes(2));
          assertThat(p.getMaxQueuedAnswerBytes()).isEqualTo(DataSize.ofMegabytes(3));
          assertThat(p.getMaxPendingRequests()).isEqualTo(32);
          assertThat(p.getRequestTimeout()).isEqualTo(Duration.ofSeconds(5));
          assertThat(p.getCloseTimeout()).isEqualTo(Duration.ofSeconds(2));
          assertThat(p.isSendErq()).isFalse();
          assertThat(p.getServer().getShutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
          assertThat(p.getServer().getMaxConnections()).isEqualTo(7);
          assertThat(p.getServer().getSsl().getBundle()).isEqualTo("srv");
          assertThat(p.getMetrics().getMaxTaggedConnections()).isEqualTo(5);
          PacketStreamProperties.Client c = p.getClients().get("billing");
          assertThat(c.getHost()).isEqualTo("billing.example");
          assertThat(c.getPort()).isEqualTo(9000);
          assertThat(c.getConnectTimeout()).isEqualTo(Duration.ofSeconds(4));
          assertThat(c.getReconnect().getInitialDelay()).isEqualTo(Duration.ofSeconds(1));
          assertThat(c.getReconnect().getMaxDelay()).isEqualTo(Duration.ofMinutes(1));
          assertThat(c.getReconnect().getMultiplier()).isEqualTo(3.0);
          assertThat(c.getReconnect().isEnabled()).isFalse();
          assertThat(c.isFailFast()).isFalse();
        });
  }

  @Test
  void defaultsAreSafe() {
    runner.run(context -> {
      PacketStreamProperties p = context.getBean(PacketStreamProperties.class);
      assertThat(p.getPacketGrace()).isZero();
      assertThat(p.getReadSpin()).isZero();
      assertThat(p.isTick()).isFalse();
      assertThat(p.getMaxFrameSize()).isEqualTo(DataSize.ofMegabytes(16));
      assertThat(p.getMaxQueuedRequestBytes()).isEqualTo(DataSize.ofMegabytes(64));
      assertThat(p.getMaxQueuedAnswerBytes()).isEqualTo(DataSize.ofMegabytes(16));
      assertThat(p.isSendErq()).isTrue();
      assertThat(p.getServer().isEnabled()).isTrue();
      assertThat(p.getServer().getPort()).isNull();
      assertThat(p.getMetrics().getMaxTaggedConnections()).isEqualTo(100);
    });
  }

  @Test
  void eachClientIsAQualifiedBean() {
    runner.withPropertyValues(
            "packetstream.clients.alpha.port=1", "packetstream.clients.alpha.reconnect.enabled=false",
            "packetstream.clients.beta.port=1", "packetstream.clients.beta.reconnect.enabled=false")
        .withUserConfiguration(InjectsClients.class)
        .run(context -> {
          InjectsClients user = context.getBean(InjectsClients.class);
          assertThat(user.alpha.name()).isEqualTo("alpha");
          assertThat(user.beta.name()).isEqualTo("beta");
          assertThat(context.getBean(PacketClients.class).get("beta")).isSameAs(user.beta);
        });
  }

  @Test
  void failFastClientStopsStartUp() {
    runner.withPropertyValues("packetstream.clients.gone.port=1", "packetstream.clients.gone.host=127.0.0.1",
            "packetstream.clients.gone.fail-fast=true")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("packetstream client gone cannot connect (fail-fast)"));
  }

  @Test
  void aFailFastClientThatCannotConnectClosesTheClientsStartedBeforeIt() throws Exception {
    try (io.packetstream.transport.PacketServer peer = io.packetstream.transport.PacketServer
        .builder(io.packetstream.connection.PacketConnection.builder()).name("peer")
        .bindLoopback(0)) {
      runner.withPropertyValues(
              "packetstream.clients.first.host=127.0.0.1",
              "packetstream.clients.first.port=" + peer.port(),
              "packetstream.clients.first.fail-fast=true",
              "packetstream.clients.second.host=127.0.0.1",
              "packetstream.clients.second.port=" + closedPort(),
              "packetstream.clients.second.fail-fast=true")
          .run(context -> {
            assertThat(context).hasFailed().getFailure()
                .hasStackTraceContaining("packetstream client second cannot connect (fail-fast)");
            // the first client did connect before the second failed
            assertThat(peer.acceptedCount()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.connections().isEmpty());
          });
    }
  }

  @Test
  void clientWithoutAddressIsAClearError() {
    runner.withPropertyValues("packetstream.clients.nowhere.host=x")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("packetstream.clients.nowhere.port is not set"));
  }

  /** Each of these would otherwise fail only when a connection opens, in a client's retry loop. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "packetstream.max-concurrent-requests=-1 | packetstream.max-concurrent-requests",
      "packetstream.max-queued-requests=-1     | packetstream.max-queued-requests",
      "packetstream.max-queued-request-bytes=-1B | packetstream.max-queued-request-bytes",
      "packetstream.max-queued-answer-bytes=0B | packetstream.max-queued-answer-bytes",
      "packetstream.max-pending-requests=0     | packetstream.max-pending-requests",
      "packetstream.max-frame-size=3GB         | packetstream.max-frame-size",
      "packetstream.request-timeout=-1s        | packetstream.request-timeout",
      "packetstream.close-timeout=-1s          | packetstream.close-timeout",
      "packetstream.packet-grace=-1ms          | packetstream.packet-grace",
      "packetstream.read-spin=2s               | packetstream.read-spin",
      "packetstream.clients.lazy.port=70000    | packetstream.clients.lazy.port",
      "packetstream.clients.lazy.connect-timeout=-1s | packetstream.clients.lazy.connect-timeout",
      "packetstream.clients.lazy.reconnect.multiplier=0.5 | packetstream.clients.lazy.reconnect.multiplier",
      "packetstream.server.max-connections=0   | packetstream.server.max-connections",
      "packetstream.server.shutdown-timeout=-1s | packetstream.server.shutdown-timeout",
      "packetstream.server.port=70000          | packetstream.server.port",
      "packetstream.server.probe-interval=-1s  | packetstream.server.probe-interval",
      "packetstream.server.probe-timeout=0s    | packetstream.server.probe-timeout",
      "packetstream.clients.lazy.probe-interval=-1s | packetstream.clients.lazy.probe-interval",
      "packetstream.clients.lazy.probe-timeout=0 | packetstream.clients.lazy.probe-timeout"})
  void invalidValuesStopStartUpNamingTheProperty(String setting, String property) {
    runner.withPropertyValues("packetstream.clients.lazy.host=127.0.0.1",
            "packetstream.clients.lazy.port=1", "packetstream.server.address=127.0.0.1",
            "packetstream.server.port=0")
        .withPropertyValues(setting)
        .run(context -> assertThat(invalidProperty(context).getName()).isEqualTo(property));
  }

  /** The invalid-property failure that stopped {@code context}. */
  private static InvalidConfigurationPropertyValueException invalidProperty(
      org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    Throwable failure = context.getStartupFailure();
    while (!(failure instanceof InvalidConfigurationPropertyValueException)
        && failure.getCause() != null) {
      failure = failure.getCause();
    }
    assertThat(failure).isInstanceOf(InvalidConfigurationPropertyValueException.class);
    return (InvalidConfigurationPropertyValueException) failure;
  }

  @Test
  void anSslBundleOnAUnixSocketServerStopsStartUp() {
    Path path = Path.of(System.getProperty("java.io.tmpdir"), "ps-tls-" + ProcessHandle.current().pid() + ".sock");
    runner.withPropertyValues("packetstream.server.unix-socket-path=" + path,
            "packetstream.server.ssl.bundle=server")
        .run(context -> {
          InvalidConfigurationPropertyValueException e = invalidProperty(context);
          assertThat(e.getName()).isEqualTo("packetstream.server.ssl.bundle");
          assertThat(e.getMessage()).contains("TLS is not available on a Unix domain socket");
          assertThat(path).doesNotExist();
        });
  }

  @Test
  void anSslBundleOnAUnixSocketClientStopsStartUp() {
    runner.withPropertyValues("packetstream.clients.local.unix-socket-path=/nonexistent/peer.sock",
            "packetstream.clients.local.ssl.bundle=client")
        .run(context -> {
          InvalidConfigurationPropertyValueException e = invalidProperty(context);
          assertThat(e.getName()).isEqualTo("packetstream.clients.local.ssl.bundle");
          assertThat(e.getMessage()).contains("TLS is not available over a Unix domain socket");
        });
  }

  @Test
  void aLazyClientWarnsOfItsFirstFailedConnectOnly() throws Exception {
    // System.Logger goes to java.util.logging here: listen there, at every level
    java.util.logging.Logger log =
        java.util.logging.Logger.getLogger(PacketStreamClient.class.getName());
    List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler recorder = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        if (record.getMessage().startsWith("packetstream client lazy: ")) {
          records.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Level level = log.getLevel();
    log.setLevel(java.util.logging.Level.ALL);
    log.addHandler(recorder);
    try {
      runner.withPropertyValues("packetstream.clients.lazy.host=127.0.0.1",
              "packetstream.clients.lazy.port=" + closedPort(),
              "packetstream.clients.lazy.reconnect.initial-delay=10ms",
              "packetstream.clients.lazy.reconnect.max-delay=20ms")
          .run(context -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> records.size() >= 3);
            List<java.util.logging.LogRecord> seen = List.copyOf(records);
            assertThat(seen.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(seen.get(0).getMessage()).contains("further failures are logged at DEBUG")
                .contains("retrying in 10ms");
            assertThat(seen.subList(1, seen.size()))
                .allMatch(r -> r.getLevel() == java.util.logging.Level.FINE);
          });
    } finally {
      log.removeHandler(recorder);
      log.setLevel(level);
    }
  }

  /** A port nothing listens on: one that was free a moment ago. */
  private static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void duplicateHandlersStopStartUpNamingBoth() {
    runner.withUserConfiguration(Duplicates.class).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      assertThat(failure).isInstanceOf(InvalidPacketHandlerException.class)
          .hasMessageContaining("request type 1 on channel 0 has 2 handlers")
          .hasMessageContaining("DuplicateA.one(")
          .hasMessageContaining("DuplicateB.alsoOne(");
      FailureAnalysis analysis = new PacketHandlerFailureAnalyzer().analyze(failure);
      assertThat(analysis.getDescription()).contains("DuplicateA.one(", "DuplicateB.alsoOne(");
      assertThat(analysis.getAction()).contains("exactly one @PacketHandler");
    });
  }

  @Test
  void unservableSignaturesStopStartUp() {
    runner.withUserConfiguration(Unservable.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).isInstanceOf(InvalidPacketHandlerException.class)
          .hasMessageContaining("Bad.plainLong(long)")
          .hasMessageContaining("annotate it @PacketFlags")
          .hasMessageContaining("Bad.stringFlags(String)")
          .hasMessageContaining("Bad.twoPayloads(byte[], String)")
          .hasMessageContaining("more than one parameter takes the payload")
          .hasMessageContaining("Bad.stageOfReply()")
          .hasMessageContaining("a stage of a Reply cannot be served");
    });
  }

  @Test
  void staticAndProxyUnreachableMethodsAreStartUpProblems() {
    runner.withUserConfiguration(Uncallable.class).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      assertThat(failure).isInstanceOf(InvalidPacketHandlerException.class)
          .hasMessageContaining("StaticHandler.atClassLevel(String)")
          .hasMessageContaining("is static")
          .hasMessageContaining("PrivateHandler.hidden(String)")
          .hasMessageContaining("the bean is a proxy");
      FailureAnalysis analysis = new PacketHandlerFailureAnalyzer().analyze(failure);
      assertThat(analysis.getDescription()).contains("StaticHandler.atClassLevel(String)",
          "PrivateHandler.hidden(String)");
    });
  }

  @Test
  void objectsNeedACodec() {
    runner.withClassLoader(new FilteredClassLoader(JsonMapper.class))
        .withUserConfiguration(NeedsCodec.class).run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasMessageContaining("NeedsCodecHandler.json(Duration)")
              .hasMessageContaining("needs a PayloadCodec bean");
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserCodec {
    @Bean
    PayloadCodec userCodec() {
      return new PayloadCodec() {
        @Override
        public Object decode(byte[] payload, Type type) {
          return null;
        }

        @Override
        public byte[] encode(Object value) {
          return new byte[0];
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserBuilders {
    @Bean
    PacketConnectionBuilders userBuilders() {
      return (role, name) -> io.packetstream.connection.PacketConnection.builder().name(name);
    }
  }

  static class InjectsClients {
    final PacketStreamClient alpha;
    final PacketStreamClient beta;

    InjectsClients(@Qualifier("alpha") PacketStreamClient alpha, @Qualifier("beta") PacketStreamClient beta) {
      this.alpha = alpha;
      this.beta = beta;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OneHandler {
    @Bean
    DuplicateA echo() {
      return new DuplicateA();
    }
  }

  static class DuplicateA {
    @PacketHandler(1)
    String one(String s) {
      return s;
    }
  }

  static class DuplicateB {
    @PacketHandler(1)
    String alsoOne(String s) {
      return s;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Duplicates {
    @Bean
    DuplicateA duplicateA() {
      return new DuplicateA();
    }

    @Bean
    DuplicateB duplicateB() {
      return new DuplicateB();
    }
  }

  static class Bad {
    @PacketHandler(1)
    void plainLong(long flags) {}

    @PacketHandler(2)
    void stringFlags(@PacketFlags String flags) {}

    @PacketHandler(3)
    void twoPayloads(byte[] a, String b) {}

    @PacketHandler(4)
    java.util.concurrent.CompletionStage<io.packetstream.connection.Reply> stageOfReply() {
      return null;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Unservable {
    @Bean
    Bad bad() {
      return new Bad();
    }
  }

  static class StaticHandler {
    @PacketHandler(1)
    static String atClassLevel(String s) {
      return s;
    }
  }

  static class PrivateHandler {
    @PacketHandler(2)
    private String hidden(String s) {
      return s;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Uncallable {
    @Bean
    StaticHandler staticHandler() {
      return new StaticHandler();
    }

    @Bean
    Object privateHandler() {
      org.springframework.aop.framework.ProxyFactory proxy =
          new org.springframework.aop.framework.ProxyFactory(new PrivateHandler());
      proxy.setProxyTargetClass(true);
      return proxy.getProxy();
    }
  }

  static class NeedsCodecHandler {
    @PacketHandler(1)
    void json(Duration notBytes) {}
  }

  @Configuration(proxyBeanMethods = false)
  static class NeedsCodec {
    @Bean
    NeedsCodecHandler needsCodecHandler() {
      return new NeedsCodecHandler();
    }
  }
}
