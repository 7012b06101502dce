package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS peers that stall in the handshake are dropped after the handshake timeout without holding up
 * anyone else, and the client checks that the server's certificate names the host it meant.
 */
@Timeout(60)
class TlsHandshakeTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final PacketConnection.Builder ECHO =
      PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));

  @TempDir Path dir;

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** A peer that connects over TCP and then says nothing, as a stalled TLS client would. */
  private static Socket silentPeer(int port) throws IOException {
    Socket s = new Socket();
    s.connect(loopback(port), 10_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Whether the other end closed {@code s} (an alert may come first) within its read timeout. */
  private static boolean closedByServer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // the server's alert, if any
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  private static void assertEchoes(PacketConnection client) throws Exception {
    assertThat(client.call(0, 0, 0, new byte[] {42}, WAIT)).isEqualTo(Response.ok(new byte[] {42}));
  }

  @Test
  void dropsAPeerThatStallsInTheHandshakeAfterTheTimeout() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    // long enough for a real client's handshake on a loaded machine, short beside the peer's wait
    try (PacketServer server =
            PacketServer.builder(ECHO)
                .socketFactory(tls.getServerSocketFactory())
                .handshakeTimeout(Duration.ofSeconds(2))
                .bindLoopback(0);
        Socket silent = silentPeer(server.port())) {
      assertThat(closedByServer(silent)).as("the silent peer is disconnected").isTrue();
      try (PacketConnection client =
          PacketClient.connect(
              loopback(server.port()), WAIT, tls.getSocketFactory(), PacketConnection.builder())) {
        assertEchoes(client);
      }
      assertThat(server.isListening()).isTrue();
    }
  }

  @Test
  void aPeerStalledInTheHandshakeDoesNotHoldUpTheNext() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    // were the handshake on the accept thread, the client behind the silent peer would wait
    // 30 s for it and give up after its own 1 s handshake timeout
    try (PacketServer server =
            PacketServer.builder(ECHO)
                .socketFactory(tls.getServerSocketFactory())
                .handshakeTimeout(Duration.ofSeconds(30))
                .bindLoopback(0);
        Socket silent = silentPeer(server.port())) {
      await().atMost(WAIT).until(() -> server.acceptedCount() == 1);
      try (PacketConnection client =
          PacketClient.connect(
              loopback(server.port()),
              WAIT,
              Duration.ofSeconds(1),
              tls.getSocketFactory(),
              PacketConnection.builder())) {
        assertEchoes(client);
      }
    }
  }

  @Test
  void aPeerInTheHandshakeHoldsOneOfTheMaxConnectionsPlaces() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    try (PacketServer server =
        PacketServer.builder(ECHO)
            .socketFactory(tls.getServerSocketFactory())
            .maxConnections(1)
            .bindLoopback(0)) {
      try (Socket silent = silentPeer(server.port())) {
        await().atMost(WAIT).until(() -> server.acceptedCount() == 1);
        assertThatThrownBy(
                () ->
                    PacketClient.connect(
                            loopback(server.port()),
                            WAIT,
                            tls.getSocketFactory(),
                            PacketConnection.builder())
                        .close())
            .as("the second peer is refused")
            .isInstanceOf(IOException.class);
      }
      // the silent peer left, and with it its place
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                try (PacketConnection client =
                    PacketClient.connect(
                        loopback(server.port()),
                        WAIT,
                        tls.getSocketFactory(),
                        PacketConnection.builder())) {
                  assertEchoes(client);
                }
              });
    }
  }

  @Test
  void theClientRefusesACertificateForAnotherHost() throws Exception {
    SSLContext tls = TestCertificates.forHost(dir, "other.example");
    try (PacketServer server =
        PacketServer.builder(ECHO).socketFactory(tls.getServerSocketFactory()).bindLoopback(0)) {
      // trusted, but it names other.example, not 127.0.0.1
      assertThatThrownBy(
              () ->
                  PacketClient.connect(
                          new InetSocketAddress("127.0.0.1", server.port()),
                          WAIT,
                          tls.getSocketFactory(),
                          PacketConnection.builder())
                      .close())
          .isInstanceOf(SSLHandshakeException.class);
      // the same address under the name the certificate gives is served
      InetAddress named = InetAddress.getByAddress("other.example", new byte[] {127, 0, 0, 1});
      try (PacketConnection client =
          PacketClient.connect(
              new InetSocketAddress(named, server.port()),
              WAIT,
              tls.getSocketFactory(),
              PacketConnection.builder())) {
        assertEchoes(client);
      }
    }
  }

  @Test
  void theClientSendsTheHostNameItConnectsTo() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    Set<String> requested = ConcurrentHashMap.newKeySet();
    SNIMatcher recording =
        new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
          @Override
          public boolean matches(SNIServerName name) {
            requested.add(((SNIHostName) name).getAsciiName());
            return true;
          }
        };
    ServerSockets sockets =
        new ServerSockets(
            () -> {
              SSLServerSocket s =
                  (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
              SSLParameters params = s.getSSLParameters();
              params.setSNIMatchers(List.of(recording));
              s.setSSLParameters(params);
              return s;
            });
    try (PacketServer server = PacketServer.builder(ECHO).socketFactory(sockets).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                InetSocketAddress.createUnresolved("localhost", server.port()),
                WAIT,
                tls.getSocketFactory(),
                PacketConnection.builder())) {
      assertEchoes(client);
      assertThat(requested).containsExactly("localhost");
    }
  }

  @Test
  void theClientGivesUpOnAServerThatStallsInTheHandshake() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    try (ServerSocket stalled = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      // connections wait in the backlog: TCP is up, TLS never answers
      CompletableFuture<PacketConnection> connecting = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  connecting.complete(
                      PacketClient.connect(
                          loopback(stalled.getLocalPort()),
                          WAIT,
                          Duration.ofMillis(300),
                          tls.getSocketFactory(),
                          PacketConnection.builder()));
                } catch (Throwable e) {
                  connecting.completeExceptionally(e);
                }
              });
      t.setDaemon(true);
      t.start();
      assertThat(connecting)
          .failsWithin(WAIT)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(SocketTimeoutException.class)
          // it said only "Read timed out", as if the connection had failed after the handshake
          .withMessageContaining("TLS handshake")
          .withMessageContaining("300 ms (handshakeTimeout)");
    }
  }

  @Test
  void theHandshakeTimeoutDoesNotLimitTheConnectionAfterwards() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    PacketConnection.Builder slow =
        PacketConnection.builder()
            .handler(
                rq -> {
                  Thread.sleep(3000);
                  return Response.ok(rq.payload());
                });
    try (PacketServer server =
            PacketServer.builder(slow)
                .socketFactory(tls.getServerSocketFactory())
                .handshakeTimeout(Duration.ofSeconds(2))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                loopback(server.port()),
                WAIT,
                Duration.ofSeconds(2),
                tls.getSocketFactory(),
                PacketConnection.builder())) {
      // both ends wait three seconds in silence (handshakes under load may take a while, so the
      // timeouts leave room for them) for the answer, longer than either handshake timeout
      assertEchoes(client);
    }
  }
}
