package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PacketServer.tls and PacketClient.connect(..., SSLContext, ...): TLS on the event loops. */
@Timeout(120)
class TlsEngineServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static PacketServer.Builder echo() {
    return PacketServer.builder(
        PacketConnection.builder().handler(rq -> Response.ok(rq.flags(), rq.payload())));
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  @Test
  void servesEngineAndSocketClientsAlike() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    try (PacketServer server = echo().tls(tls).bindLoopback(0);
        PacketConnection engine =
            PacketClient.connect(loopback(server.port()), WAIT, tls, PacketConnection.builder());
        PacketConnection socket =
            PacketClient.connect(
                loopback(server.port()),
                WAIT,
                tls.getSocketFactory(),
                PacketConnection.builder())) {
      for (int i = 0; i < 30; i++) {
        byte[] payload = new byte[i * 3000];
        assertThat(engine.call(0, 0, i, payload, WAIT)).isEqualTo(new Response(true, i, payload));
        assertThat(socket.call(0, 0, i, payload, WAIT)).isEqualTo(new Response(true, i, payload));
      }
    }
  }

  /** Under mutual TLS a handler learns who its peer is from the connection's TLS session. */
  @Test
  void theTlsSessionTellsTheHandlerWhoThePeerIs() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    PacketConnection.Builder whoAsks =
        PacketConnection.builder()
            .handler(
                rq -> {
                  javax.net.ssl.SSLSession session = rq.connection().tlsSession().orElseThrow();
                  try {
                    return Response.ok(session.getPeerPrincipal().getName());
                  } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    return Response.failure("anonymous");
                  }
                });
    try (PacketServer server =
            PacketServer.builder(whoAsks)
                .tls(
                    () -> {
                      javax.net.ssl.SSLEngine engine = tls.createSSLEngine();
                      engine.setNeedClientAuth(true);
                      return engine;
                    })
                .bindLoopback(0);
        PacketConnection engine =
            PacketClient.connect(loopback(server.port()), WAIT, tls, PacketConnection.builder());
        PacketConnection socket =
            PacketClient.connect(
                loopback(server.port()),
                WAIT,
                tls.getSocketFactory(),
                PacketConnection.builder())) {
      Response byEngine = engine.call(0, 0, 0, new byte[0], WAIT);
      Response bySocket = socket.call(0, 0, 0, new byte[0], WAIT);

      assertThat(byEngine.ok()).isTrue();
      assertThat(new String(byEngine.payload(), java.nio.charset.StandardCharsets.UTF_8))
          .startsWith("CN=");
      assertThat(bySocket.payload()).isEqualTo(byEngine.payload());
      // and each client sees the server's
      assertThat(engine.tlsSession().orElseThrow().getPeerPrincipal().getName())
          .isEqualTo(socket.tlsSession().orElseThrow().getPeerPrincipal().getName());
    }
  }

  /** Asked before its handshake, a connection over an SSLSocket says it has no session yet. */
  @Test
  @Timeout(20)
  void theTlsSessionOfASocketThatHasNotShakenHandsIsEmptyAtOnce() throws Exception {
    try (java.net.ServerSocket silent =
            new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket socket =
            TlsRoundTripTest.context()
                .getSocketFactory()
                .createSocket("127.0.0.1", silent.getLocalPort());
        Socket peer = silent.accept()) {
      PacketConnection connection = PacketConnection.builder().open(socket, true);
      try {
        // SSLSocket.getSession() would start the handshake and wait for a peer that never answers
        assertThat(connection.tlsSession()).isEmpty();
      } finally {
        connection.abort();
      }
    }
  }

  @Test
  void anEngineClientRefusesAServerItDoesNotTrustAndEndsItsRequests() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    SSLContext untrusting = SSLContext.getInstance("TLS");
    untrusting.init(null, null, null);
    try (PacketServer server = echo().tls(tls).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                loopback(server.port()), WAIT, untrusting, PacketConnection.builder())) {
      assertThatThrownBy(() -> client.submit(0, 0, 0, new byte[1], Duration.ZERO).get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ConnectionClosedException.class);
      await().atMost(WAIT).until(() -> client.state().isTerminal());
      assertThat(client.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(client.failure()).get().isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void anEngineClientChecksTheHostName() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    // the test certificate names localhost, not this made-up name for the same address
    InetSocketAddress elsewhere =
        new InetSocketAddress(
            InetAddress.getByAddress("elsewhere.example", new byte[] {127, 0, 0, 1}), 0);
    try (PacketServer server = echo().tls(tls).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                new InetSocketAddress(elsewhere.getAddress(), server.port()),
                WAIT,
                tls,
                PacketConnection.builder())) {
      await().atMost(WAIT).until(() -> client.state().isTerminal());
      assertThat(client.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(client.failure()).get().isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void dropsAPeerThatNeverStartsItsHandshake() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    try (PacketServer server =
            echo().tls(tls).handshakeTimeout(Duration.ofMillis(300)).bindLoopback(0);
        Socket silent = new Socket()) {
      silent.connect(loopback(server.port()), 10_000);
      silent.setSoTimeout(10_000);
      InputStream in = silent.getInputStream();
      try {
        while (in.read() >= 0) {
          // the server's alert, if any, then its close
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept a peer that never said hello", e);
      } catch (java.net.SocketException reset) {
        // closed by the server
      }
      await().atMost(WAIT).until(() -> server.connections().isEmpty());
    }
  }

  @Test
  void holdsIdleTlsConnectionsWithoutThreads() throws Exception {
    SSLContext tls = TlsRoundTripTest.context();
    int before = ManagementFactory.getThreadMXBean().getThreadCount();
    List<PacketConnection> clients = new ArrayList<>();
    try (PacketServer server = echo().tls(tls).bindLoopback(0)) {
      for (int i = 0; i < 100; i++) {
        PacketConnection c =
            PacketClient.connect(loopback(server.port()), WAIT, tls, PacketConnection.builder());
        clients.add(c);
        assertThat(c.call(0, 0, i, new byte[] {(byte) i}, WAIT).ok()).isTrue();
      }
      assertThat(server.connections()).hasSize(100);
      // 200 TLS connection ends, and only the pools and timers of the JVM grew
      assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - before).isLessThan(32);
    } finally {
      clients.forEach(PacketConnection::abort);
    }
  }
}
