package io.packetstream.spring.autoconfigure;

import static io.packetstream.spring.autoconfigure.StartupFailures.invalidProperty;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketServerCustomizer;
import io.packetstream.spring.context.PacketServerFactory;
import io.packetstream.spring.context.PacketServerInitializedEvent;
import io.packetstream.spring.context.PacketServerPortInfoApplicationContextInitializer;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;

/**
 * The server auto-configuration: when there is a server, how it listens, its factory, customizers
 * and events.
 */
class PacketStreamServerAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class,
                  PacketStreamAutoConfiguration.class,
                  PacketStreamServerAutoConfiguration.class))
          .withInitializer(new PacketServerPortInfoApplicationContextInitializer());

  @Test
  void noServerWithoutAPortOrPath() {
    runner.run(
        context ->
            assertThat(context)
                .doesNotHaveBean(PacketStreamServer.class)
                .doesNotHaveBean(PacketServerFactory.class));
  }

  @Test
  void serverWhenAPortIsSet() {
    runner
        .withPropertyValues("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .run(
            context -> {
              assertThat(context).hasSingleBean(PacketStreamServer.class);
              PacketStreamServer server = context.getBean(PacketStreamServer.class);
              assertThat(server.isListening()).isTrue();
              assertThat(
                      context
                          .getEnvironment()
                          .getProperty("local.packetstream.server.port", Integer.class))
                  .isEqualTo(server.port());
            });
  }

  @Test
  void serverOnAUnixSocket() {
    Path path =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "ps-starter-" + ProcessHandle.current().pid() + ".sock");
    runner
        .withPropertyValues("packetstream.server.unix-socket-path=" + path)
        .run(
            context -> {
              PacketStreamServer server = context.getBean(PacketStreamServer.class);
              assertThat(server.isListening()).isTrue();
              assertThat(server.port()).isEqualTo(-1);
              assertThat(path).exists();
            });
  }

  @Test
  void theUnixSocketServerAnswersRequests() {
    Path path =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "ps-rq-" + ProcessHandle.current().pid() + ".sock");
    runner
        .withPropertyValues("packetstream.server.unix-socket-path=" + path)
        .withUserConfiguration(OneHandler.class)
        .run(
            context -> {
              try (io.packetstream.connection.PacketConnection c =
                  io.packetstream.transport.PacketClient.connect(
                      path, io.packetstream.connection.PacketConnection.builder())) {
                assertThat(
                        c.call(1, 0, "over unix".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo(io.packetstream.connection.Response.ok("over unix"));
              }
            });
    assertThat(path).doesNotExist();
  }

  @Test
  void theDefaultTickWritesEveryPacketToStandardError() throws Exception {
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      runner
          .withPropertyValues(
              "packetstream.tick=true",
              "packetstream.server.port=0",
              "packetstream.server.address=127.0.0.1")
          .withUserConfiguration(OneHandler.class)
          .run(
              context -> {
                int port = context.getBean(PacketStreamServer.class).port();
                try (io.packetstream.connection.PacketConnection c =
                    io.packetstream.transport.PacketClient.connect(
                        "127.0.0.1", port, io.packetstream.connection.PacketConnection.builder())) {
                  c.call(1, 0, new byte[0]);
                }
                // the server's side: the request in, the answer out
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(
                        () ->
                            captured
                                    .toString(java.nio.charset.StandardCharsets.UTF_8)
                                    .contains("<Q")
                                && captured
                                    .toString(java.nio.charset.StandardCharsets.UTF_8)
                                    .contains(">A"));
              });
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void noServerWhenDisabled() {
    runner
        .withPropertyValues("packetstream.server.port=0", "packetstream.server.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamServer.class));
  }

  @Test
  void anSslBundleOnAUnixSocketServerStopsStartUp() {
    Path path =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "ps-tls-" + ProcessHandle.current().pid() + ".sock");
    runner
        .withPropertyValues(
            "packetstream.server.unix-socket-path=" + path, "packetstream.server.ssl.bundle=server")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalidProperty(context);
              assertThat(e.getName()).isEqualTo("packetstream.server.ssl.bundle");
              assertThat(e.getMessage()).contains("TLS is not available on a Unix domain socket");
              assertThat(path).doesNotExist();
            });
  }

  @Test
  void aHandshakeTimeoutOfZeroStopsStartUpAsTheCoreServerRequiresOneAboveZero() {
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.ssl.handshake-timeout=0")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalidProperty(context);
              assertThat(e.getName()).isEqualTo("packetstream.server.ssl.handshake-timeout");
              assertThat(e.getMessage())
                  .contains("packetstream.server.ssl.handshake-timeout 0s is not positive");
            });
  }

  @Test
  void theServerMakesItsTlsMaterialOnceForAllItsPeers() {
    runner
        .withUserConfiguration(CountingSslBundles.class)
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.ssl.bundle=server")
        .run(
            context -> {
              PacketStreamServer server = context.getBean(PacketStreamServer.class);
              CountingSslBundles bundles = context.getBean(CountingSslBundles.class);
              SSLContext trusting =
                  SslBundle.of(
                          new JksSslStoreBundle(
                              null,
                              new JksSslStoreDetails(
                                  "PKCS12", null, "classpath:tls/trust.p12", "changeit")))
                      .createSslContext();
              for (int i = 0; i < 2; i++) {
                try (PacketConnection c =
                    PacketClient.connect(
                        new InetSocketAddress("127.0.0.1", server.port()),
                        Duration.ofSeconds(5),
                        trusting.getSocketFactory(),
                        PacketConnection.builder())) {
                  await()
                      .atMost(Duration.ofSeconds(10))
                      .until(() -> !server.connections().isEmpty());
                }
              }
              assertThat(bundles.contexts).hasValue(1);
              assertThat(bundles.updateHandlers).hasValue(1);
            });
  }

  @Test
  void theServerIsMadeByTheFactoryWithTheServerProperties() throws Exception {
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.name=orders",
            "packetstream.server.max-connections=1")
        .withUserConfiguration(OneHandler.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(PacketServerFactory.class);
              PacketServer core = context.getBean(PacketStreamServer.class).server().orElseThrow();
              assertThat(core.name()).isEqualTo("orders");
              try (PacketConnection first =
                  PacketClient.connect("127.0.0.1", core.port(), PacketConnection.builder())) {
                assertThat(first.call(1, 0, bytes("one")).ok()).isTrue();
                // max-connections=1: a second peer is disconnected at once
                try (PacketConnection second =
                    PacketClient.connect("127.0.0.1", core.port(), PacketConnection.builder())) {
                  assertThat(second.termination().toCompletableFuture().get(10, TimeUnit.SECONDS))
                      .isNull();
                }
              }
            });
  }

  @Test
  void serverCustomizersRunAfterThePropertiesInTheirOrder() {
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.name=from-properties")
        .withUserConfiguration(Customizers.class)
        .run(
            context -> {
              PacketServer core = context.getBean(PacketStreamServer.class).server().orElseThrow();
              assertThat(core.name()).isEqualTo("second");
            });
  }

  @Test
  void theInitializedEventCarriesTheListeningServerAndItsPortIsPublished() {
    runner
        .withPropertyValues("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .withUserConfiguration(InitializedEvents.class)
        .run(
            context -> {
              List<PacketServerInitializedEvent> events =
                  context.getBean(InitializedEvents.class).seen;
              assertThat(events).hasSize(1);
              PacketServer core = context.getBean(PacketStreamServer.class).server().orElseThrow();
              assertThat(events.get(0).getServer()).isSameAs(core);
              assertThat(events.get(0).getServer().isListening()).isTrue();
              assertThat(
                      context
                          .getEnvironment()
                          .getProperty("local.packetstream.server.port", Integer.class))
                  .isEqualTo(core.port());
            });
  }

  @Test
  void anIdleConnectionClosesAfterTheServersIdleTimeout() {
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.idle-timeout=200ms")
        .withUserConfiguration(OneHandler.class)
        .run(
            context -> {
              int port = context.getBean(PacketStreamServer.class).port();
              try (PacketConnection c =
                  PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
                assertThat(c.call(1, 0, bytes("once")).ok()).isTrue();
                // the server's side closes it gracefully: the client sees the end, not an error
                c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(c.failure()).isEmpty();
              }
            });
  }

  @Test
  void aPeerStalledInTheMiddleOfAFrameIsDroppedAfterTheServersReadTimeout() {
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.read-timeout=200ms")
        .run(
            context -> {
              int port = context.getBean(PacketStreamServer.class).port();
              try (Socket peer = new Socket("127.0.0.1", port)) {
                peer.setSoTimeout(10_000);
                // a frame of 100 bytes announced, 2 of them sent, then nothing
                peer.getOutputStream().write(new byte[] {100, 1, 2});
                peer.getOutputStream().flush();
                assertThat(peer.getInputStream().read()).isEqualTo(-1);
              }
            });
  }

  @Test
  void anAnswerOverTheOutboundFrameSizeIsRefusedNotSent() {
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.max-outbound-frame-size=64B")
        .withUserConfiguration(OneHandler.class)
        .run(
            context -> {
              int port = context.getBean(PacketStreamServer.class).port();
              try (PacketConnection c =
                  PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
                assertThat(c.call(1, 0, bytes("short")).ok()).isTrue();
                Response big = c.call(1, 0, bytes("x".repeat(200)));
                assertThat(big.ok()).isFalse();
                assertThat(big.text()).contains("answer too large");
              }
            });
  }

  @Test
  void ioThreadsGiveTheConnectionsAnEventLoopGroupOfTheirOwnClosedWithTheContext() {
    EventLoopGroup[] group = new EventLoopGroup[1];
    runner
        .withPropertyValues(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.io-threads=1")
        .withUserConfiguration(OneHandler.class)
        .run(
            context -> {
              group[0] = context.getBean(EventLoopGroup.class);
              assertThat(group[0].threads()).isEqualTo(1);
              int port = context.getBean(PacketStreamServer.class).port();
              try (PacketConnection c =
                  PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
                assertThat(c.call(1, 0, bytes("via the group")).ok()).isTrue();
                assertThat(group[0].connections()).isEqualTo(1);
              }
              assertThat(ioThreads()).isNotEmpty();
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> ioThreads().isEmpty());
  }

  @Test
  void noEventLoopGroupOfItsOwnUnlessIoThreadsIsSet() {
    runner.run(context -> assertThat(context).doesNotHaveBean(EventLoopGroup.class));
  }

  @Test
  void whileTheApplicationRefusesTrafficNewPeersAreTurnedAwayAndServedAgainAfter() {
    runner
        .withPropertyValues("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .withUserConfiguration(OneHandler.class)
        .run(
            context -> {
              int port = context.getBean(PacketStreamServer.class).port();
              try (PacketConnection before =
                  PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
                // answered: the server has opened its end before the refusal starts (a connection
                // the accept loop opens after it would be turned away too)
                assertThat(before.call(1, 0, bytes("first")).ok()).isTrue();
                AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
                int ran = OneHandler.CALLS.get();
                int opened = OneHandler.OPENED.get();
                try (Socket refused = new Socket("127.0.0.1", port)) {
                  refused.setSoTimeout(10_000);
                  // a request at once: the peer is disconnected before it is read, so it never
                  // runs (it ran, its answer lost, when the connection was aborted after opening)
                  refused
                      .getOutputStream()
                      .write(
                          io.packetstream.wire.PacketCodec.encode(
                              io.packetstream.wire.Packet.request(0, 1, 0, 1, bytes("\"x\""))));
                  // closed with the request unread: EOF, or a reset
                  int read;
                  try {
                    read = refused.getInputStream().read();
                  } catch (java.net.SocketException reset) {
                    read = -1;
                  }
                  assertThat(read).isEqualTo(-1);
                }
                assertThat(OneHandler.CALLS.get())
                    .as("requests of the refused peer run")
                    .isEqualTo(ran);
                // no connection was made for it at all (one was, and aborted once it had opened)
                assertThat(OneHandler.OPENED.get())
                    .as("server connections opened")
                    .isEqualTo(opened);
                // a peer connected before is served on
                assertThat(before.call(1, 0, bytes("still here")).ok()).isTrue();
                AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
                try (PacketConnection after =
                    PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
                  assertThat(after.call(1, 0, bytes("back")).ok()).isTrue();
                }
              }
            });
  }

  private static List<Thread> ioThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("packetstream-spring-io-") && t.isAlive())
        .toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The key store bundle "server", counting the SSL contexts made of it and who follows it. */
  static class CountingSslBundles implements SslBundles {
    final AtomicInteger contexts = new AtomicInteger();
    final AtomicInteger updateHandlers = new AtomicInteger();
    private final SslBundle server =
        SslBundle.of(
            new JksSslStoreBundle(
                new JksSslStoreDetails("PKCS12", null, "classpath:tls/server.p12", "changeit"),
                null));

    @Override
    public SslBundle getBundle(String name) {
      if (!name.equals("server")) {
        throw new NoSuchSslBundleException(name, "only 'server' here");
      }
      return new SslBundle() {
        @Override
        public SslStoreBundle getStores() {
          return server.getStores();
        }

        @Override
        public SslBundleKey getKey() {
          return server.getKey();
        }

        @Override
        public SslOptions getOptions() {
          return server.getOptions();
        }

        @Override
        public String getProtocol() {
          return server.getProtocol();
        }

        @Override
        public SslManagerBundle getManagers() {
          return server.getManagers();
        }

        @Override
        public SSLContext createSslContext() {
          contexts.incrementAndGet();
          return server.createSslContext();
        }
      };
    }

    @Override
    public void addBundleUpdateHandler(String name, Consumer<SslBundle> handler) {
      getBundle(name);
      updateHandlers.incrementAndGet();
    }

    @Override
    public void addBundleRegisterHandler(BiConsumer<String, SslBundle> handler) {}

    @Override
    public List<String> getBundleNames() {
      return List.of("server");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    @Bean
    @Order(2)
    PacketServerCustomizer second() {
      return builder -> builder.name("second");
    }

    @Bean
    @Order(1)
    PacketServerCustomizer first() {
      return builder -> builder.name("first");
    }
  }

  static class InitializedEvents {
    final List<PacketServerInitializedEvent> seen = new CopyOnWriteArrayList<>();

    @EventListener
    void on(PacketServerInitializedEvent event) {
      seen.add(event);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OneHandler {
    static final java.util.concurrent.atomic.AtomicInteger CALLS =
        new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.concurrent.atomic.AtomicInteger OPENED =
        new java.util.concurrent.atomic.AtomicInteger();

    @Bean
    io.packetstream.spring.context.PacketConnectionCustomizer countOpened() {
      return (builder, role, name) -> {
        if (role == io.packetstream.spring.context.ConnectionRole.SERVER) {
          builder.listener(
              new io.packetstream.connection.TrafficListener() {
                @Override
                public void connectionOpened(PacketConnection connection) {
                  OPENED.incrementAndGet();
                }
              });
        }
      };
    }

    @Bean
    DuplicateA echo() {
      return new DuplicateA();
    }
  }

  static class DuplicateA {
    @PacketHandler(1)
    String one(String s) {
      OneHandler.CALLS.incrementAndGet();
      return s;
    }
  }
}
