package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server and client speak the protocol over TLS when given an SSL context's socket factories.
 */
@Timeout(60)
class TlsRoundTripTest {

  private static final char[] PASSWORD = "changeit".toCharArray();

  static SSLContext context() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = TlsRoundTripTest.class.getResourceAsStream("/test-keystore.p12")) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  @Test
  void servesRequestsOverTls() throws Exception {
    SSLContext tls = context();
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder().handler(rq -> Response.ok(rq.flags(), rq.payload())))
                .socketFactory(tls.getServerSocketFactory())
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                Duration.ofSeconds(10),
                tls.getSocketFactory(),
                PacketConnection.builder())) {
      for (int i = 0; i < 50; i++) {
        assertThat(client.call(0, 0, i, new byte[i * 1000], Duration.ofSeconds(10)))
            .isEqualTo(new Response(true, i, new byte[i * 1000]));
      }
    }
  }

  @Test
  void refusesAClientThatDoesNotTrustTheServer() throws Exception {
    SSLContext tls = context();
    SSLContext untrusting = SSLContext.getInstance("TLS");
    untrusting.init(null, null, null);
    try (PacketServer server =
        PacketServer.builder(PacketConnection.builder())
            .socketFactory(tls.getServerSocketFactory())
            .bindLoopback(0)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  PacketClient.connect(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                      Duration.ofSeconds(10),
                      untrusting.getSocketFactory(),
                      PacketConnection.builder()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }
}
