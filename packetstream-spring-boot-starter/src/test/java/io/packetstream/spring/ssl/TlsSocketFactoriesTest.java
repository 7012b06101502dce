package io.packetstream.spring.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;

/**
 * The TLS sockets of the server and the clients keep to their SSL bundle's options, over real TCP.
 */
class TlsSocketFactoriesTest {

  // tls/server.p12 and tls/trust.p12 were made with keytool; their password is changeit
  private static final JksSslStoreBundle SERVER =
      new JksSslStoreBundle(
          new JksSslStoreDetails("PKCS12", null, "classpath:tls/server.p12", "changeit"), null);
  private static final JksSslStoreBundle CLIENT =
      new JksSslStoreBundle(
          null, new JksSslStoreDetails("PKCS12", null, "classpath:tls/trust.p12", "changeit"));

  /** A server socket that offers TLS 1.3 only, handshaking with every peer in the background. */
  private static ServerSocket only13() throws Exception {
    ServerSocket server =
        new TlsServerSocketFactory(
                TlsMaterial.fixed(
                    SslBundle.of(SERVER, null, SslOptions.of(null, new String[] {"TLSv1.3"}))),
                ClientAuth.NONE)
            .createServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket peer = server.accept()) {
                  ((SSLSocket) peer).startHandshake();
                  peer.getInputStream().read();
                } catch (Exception e) {
                  // a refused handshake, or the socket closed at the end of the test
                }
              }
            },
            "tls-test-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    return server;
  }

  @Test
  void aClientLimitedToTls12CannotHandshakeWithAServerLimitedToTls13() throws Exception {
    try (ServerSocket server = only13()) {
      InetSocketAddress address = new InetSocketAddress("localhost", server.getLocalPort());
      VerifyingSocketFactory only12 =
          new VerifyingSocketFactory(
              TlsMaterial.fixed(
                  SslBundle.of(CLIENT, null, SslOptions.of(null, new String[] {"TLSv1.2"}))),
              Duration.ofSeconds(10));
      assertThatThrownBy(
              () -> only12.connect(address, Duration.ofSeconds(5), PacketConnection.builder()))
          .isInstanceOf(SSLException.class);
      VerifyingSocketFactory any =
          new VerifyingSocketFactory(
              TlsMaterial.fixed(SslBundle.of(CLIENT)), Duration.ofSeconds(10));
      try (SSLSocket socket = (SSLSocket) any.socket()) {
        socket.connect(address);
        socket.startHandshake();
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      }
    }
  }
}
