package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Mutual TLS, handshake timeouts on both ends and SSL bundle reloads, each in a fresh application
 * over real TCP.
 */
@Timeout(90)
class TlsOptionsTest {

  // tls/server.p12 and tls/trust.p12 were made with keytool; their password is changeit
  private static final String[] BUNDLES = {
    "spring.ssl.bundle.jks.server.keystore.location=classpath:tls/server.p12",
    "spring.ssl.bundle.jks.server.keystore.password=changeit",
    "spring.ssl.bundle.jks.server.keystore.type=PKCS12",
    "spring.ssl.bundle.jks.server.truststore.location=classpath:tls/trust.p12",
    "spring.ssl.bundle.jks.server.truststore.password=changeit",
    "spring.ssl.bundle.jks.server.truststore.type=PKCS12",
    "spring.ssl.bundle.jks.server.options.enabled-protocols=TLSv1.2",
    "spring.ssl.bundle.jks.client.truststore.location=classpath:tls/trust.p12",
    "spring.ssl.bundle.jks.client.truststore.password=changeit",
    "spring.ssl.bundle.jks.client.truststore.type=PKCS12",
    // the server's own key: the server's trust store trusts it, so it serves as a client's
    "spring.ssl.bundle.jks.mutual.keystore.location=classpath:tls/server.p12",
    "spring.ssl.bundle.jks.mutual.keystore.password=changeit",
    "spring.ssl.bundle.jks.mutual.keystore.type=PKCS12",
    "spring.ssl.bundle.jks.mutual.truststore.location=classpath:tls/trust.p12",
    "spring.ssl.bundle.jks.mutual.truststore.password=changeit",
    "spring.ssl.bundle.jks.mutual.truststore.type=PKCS12",
    "spring.main.banner-mode=off"
  };

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(TestApplication.class)
        .web(WebApplicationType.NONE)
        .properties(BUNDLES)
        .properties(properties)
        .run();
  }

  private static SSLSocketFactory sockets(ConfigurableApplicationContext context, String bundle) {
    return context
        .getBean(SslBundles.class)
        .getBundle(bundle)
        .createSslContext()
        .getSocketFactory();
  }

  @Test
  void aServerThatNeedsClientCertificatesRefusesPeersWithout() throws Exception {
    try (ConfigurableApplicationContext context =
        start(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.ssl.bundle=server",
            "packetstream.server.ssl.client-auth=need")) {
      InetSocketAddress address =
          new InetSocketAddress("localhost", context.getBean(PacketStreamServer.class).port());
      try (PacketConnection mutual =
          PacketClient.connect(
              address,
              Duration.ofSeconds(5),
              sockets(context, "mutual"),
              PacketConnection.builder())) {
        assertThat(mutual.call(2, 0, "hi".getBytes(UTF_8))).isEqualTo(Response.ok("HI"));
        // the handler knows the peer by its certificate
        assertThat(new String(mutual.call(31, 0, new byte[0]).payload(), UTF_8))
            .isEqualTo(mutual.tlsSession().orElseThrow().getLocalPrincipal().getName());
      }
      assertThatThrownBy(
              () ->
                  PacketClient.connect(
                          address,
                          Duration.ofSeconds(5),
                          sockets(context, "client"),
                          PacketConnection.builder())
                      .call(2, 0, new byte[0]))
          .isInstanceOfAny(SSLException.class, java.io.IOException.class);
    }
  }

  @Test
  void aPeerThatNeverHandshakesIsDropped() throws Exception {
    try (ConfigurableApplicationContext context =
        start(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.ssl.bundle=server",
            "packetstream.server.ssl.handshake-timeout=300ms")) {
      PacketStreamServer server = context.getBean(PacketStreamServer.class);
      try (Socket silent = new Socket("127.0.0.1", server.port())) {
        // the server hangs up once the handshake time is over: the silent peer reads at most a
        // TLS alert, then the end of the stream
        silent.setSoTimeout(10_000);
        InputStream in = silent.getInputStream();
        assertThat(in.readAllBytes().length).isLessThan(64);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().isEmpty());
      }
    }
  }

  @Test
  void aClientWhosePeerNeverHandshakesFailsToStartNamingTheProperty() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket s = silent.accept()) {
                  s.getInputStream().readAllBytes(); // takes the client's hello, says nothing
                } catch (java.io.IOException e) {
                  // closed at the end of the test
                }
              },
              "silent-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      assertThatThrownBy(
              () ->
                  start(
                          "packetstream.clients.silent.host=127.0.0.1",
                          "packetstream.clients.silent.port=" + silent.getLocalPort(),
                          "packetstream.clients.silent.fail-fast=true",
                          "packetstream.clients.silent.ssl.bundle=client",
                          "packetstream.clients.silent.ssl.handshake-timeout=300ms")
                      .close())
          .hasStackTraceContaining("TLS handshake with")
          .hasStackTraceContaining("took longer than 300ms (ssl.handshake-timeout)");
    }
  }

  @Test
  void newConnectionsUseAReloadedBundle() throws Exception {
    try (ConfigurableApplicationContext context =
        start(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.ssl.bundle=server")) {
      int port = context.getBean(PacketStreamServer.class).port();
      assertThat(protocol(context, port)).isEqualTo("TLSv1.2");

      SslBundle old = context.getBean(SslBundles.class).getBundle("server");
      context
          .getBean(SslBundleRegistry.class)
          .updateBundle(
              "server",
              SslBundle.of(
                  old.getStores(), old.getKey(), SslOptions.of(null, new String[] {"TLSv1.3"})));
      assertThat(protocol(context, port)).isEqualTo("TLSv1.3");
    }
  }

  private static String protocol(ConfigurableApplicationContext context, int port)
      throws Exception {
    try (SSLSocket s = (SSLSocket) sockets(context, "client").createSocket("localhost", port)) {
      s.startHandshake();
      return s.getSession().getProtocol();
    }
  }
}
