package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * TLS through SSL bundles on both ends: the application's server with a test key store and a named
 * client of the same application that trusts it and checks the host name.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      // tls/server.p12 and tls/trust.p12 were made with keytool; their password is changeit
      "spring.ssl.bundle.jks.server.keystore.location=classpath:tls/server.p12",
      "spring.ssl.bundle.jks.server.keystore.password=changeit",
      "spring.ssl.bundle.jks.server.keystore.type=PKCS12",
      "spring.ssl.bundle.jks.server.options.enabled-protocols=TLSv1.2",
      "spring.ssl.bundle.jks.client.truststore.location=classpath:tls/trust.p12",
      "spring.ssl.bundle.jks.client.truststore.password=changeit",
      "spring.ssl.bundle.jks.client.truststore.type=PKCS12",
      "packetstream.server.address=127.0.0.1",
      "packetstream.server.ssl.bundle=server",
      "packetstream.clients.self.host=localhost",
      "packetstream.clients.self.ssl.bundle=client",
      "packetstream.clients.self.reconnect.initial-delay=50ms"
    })
class TlsTest {

  @DynamicPropertySource
  static void port(DynamicPropertyRegistry registry) throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    registry.add("packetstream.server.port", () -> port);
    registry.add("packetstream.clients.self.port", () -> port);
  }

  @Autowired
  @Qualifier("self")
  PacketStreamClient self;

  @Autowired PacketStreamServer server;
  @Autowired SslBundles bundles;

  @Test
  void clientTalksToServerOverTls() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> self.status() == PacketStreamClient.Status.CONNECTED);
    assertThat(self.call(2, 0, "secret".getBytes(UTF_8))).isEqualTo(Response.ok("SECRET"));
  }

  @Test
  void coreClientWithTheBundleConnectsToo() throws Exception {
    try (PacketConnection c =
        PacketClient.connect(
            new InetSocketAddress("127.0.0.1", server.port()),
            Duration.ofSeconds(5),
            bundles.getBundle("client").createSslContext().getSocketFactory(),
            PacketConnection.builder())) {
      assertThat(c.call(1, 0, "x".getBytes(UTF_8))).isEqualTo(Response.ok("x".getBytes(UTF_8)));
    }
  }

  @Test
  void serverOffersOnlyTheProtocolsOfItsBundlesOptions() throws Exception {
    javax.net.ssl.SSLSocketFactory tls =
        bundles.getBundle("client").createSslContext().getSocketFactory();
    try (javax.net.ssl.SSLSocket only13 =
        (javax.net.ssl.SSLSocket) tls.createSocket("127.0.0.1", server.port())) {
      only13.setEnabledProtocols(new String[] {"TLSv1.3"});
      assertThatThrownBy(only13::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
    }
    try (javax.net.ssl.SSLSocket any =
        (javax.net.ssl.SSLSocket) tls.createSocket("127.0.0.1", server.port())) {
      any.startHandshake();
      assertThat(any.getSession().getProtocol()).isEqualTo("TLSv1.2");
    }
  }

  @Test
  void plainTcpGetsNoAnswers() throws Exception {
    try (PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThatThrownBy(
              () ->
                  c.submit(0, 2, 0, "x".getBytes(UTF_8), Duration.ofSeconds(2))
                      .get(5, TimeUnit.SECONDS))
          .isNotNull()
          // the server's TLS alert is no frame, and the server hangs up: not a timeout
          .isInstanceOf(java.util.concurrent.ExecutionException.class)
          .cause()
          .isInstanceOf(io.packetstream.connection.ConnectionClosedException.class)
          .hasMessageContaining("receiving failed");
    }
  }
}
