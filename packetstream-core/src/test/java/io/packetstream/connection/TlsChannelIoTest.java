package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, TLS over the event loop: connections opened with an {@link SSLEngine} on socket
 * channels talk to each other and to the SSLSocket transport, fail cleanly on a bad handshake or a
 * silent peer, and hold no thread while idle.
 */
@Timeout(120)
class TlsChannelIoTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<AutoCloseable> toClose = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        AutoCloseable c = toClose.get(i);
        if (c instanceof PacketConnection conn) {
          conn.abort();
        } else if (c instanceof PacketServer server) {
          server.abort();
        } else {
          c.close();
        }
      } catch (Exception e) {
        // cleaning up
      }
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  /** Echoes with the flags; type 1 answers with the payload reversed. */
  private static PacketConnection.Builder echo(String name) {
    return PacketConnection.builder()
        .name(name)
        .handler(
            rq -> {
              byte[] p = rq.payload();
              if (rq.rqType() == 1) {
                p = reversed(p);
              }
              return Response.ok(rq.flags(), p);
            });
  }

  private static byte[] reversed(byte[] p) {
    byte[] r = new byte[p.length];
    for (int i = 0; i < p.length; i++) {
      r[i] = p[p.length - 1 - i];
    }
    return r;
  }

  /** A TLS pair over a real TCP connection, SSLEngine on both ends. */
  private PacketConnection[] enginePair(
      SSLContext tls, PacketConnection.Builder client, PacketConnection.Builder server)
      throws IOException {
    ServerSocketChannel listener = closing(TestTls.listen());
    SocketChannel[] ends = TestTls.connect(listener);
    PacketConnection s = closing(server.open(ends[1], TestTls.server(tls), true));
    PacketConnection c =
        closing(client.open(ends[0], TestTls.client(tls, TestTls.port(listener)), true));
    return new PacketConnection[] {c, s};
  }

  @Test
  void roundTripsBothWaysOverEnginesOnBothEnds() throws Exception {
    SSLContext tls = TestTls.context();
    PacketConnection[] pair = enginePair(tls, echo("tls-client"), echo("tls-server"));
    PacketConnection client = pair[0];
    PacketConnection server = pair[1];
    for (int i = 0; i < 50; i++) {
      byte[] payload = ("client " + i).getBytes();
      assertThat(client.call(0, 1, i, payload, WAIT))
          .isEqualTo(new Response(true, i, reversed(payload)));
      byte[] back = new byte[i * 1000];
      Arrays.fill(back, (byte) i);
      assertThat(server.call(0, 0, i + 7, back, WAIT)).isEqualTo(new Response(true, i + 7, back));
    }
    assertThat(client.remoteAddress()).isPresent();

    client.close();
    await().atMost(WAIT).until(() -> server.state().isTerminal());
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void requestsSubmittedBeforeTheHandshakeGoOutWhenItHasFinished() throws Exception {
    SSLContext tls = TestTls.context();
    PacketConnection[] pair = enginePair(tls, echo("early-client"), echo("early-server"));
    // submitted at once: the handshake cannot have finished yet for most of them
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      answers.add(pair[0].submit(0, i, new byte[] {(byte) i}));
    }
    for (int i = 0; i < 100; i++) {
      assertThat(answers.get(i).get(30, TimeUnit.SECONDS))
          .isEqualTo(new Response(true, i, new byte[] {(byte) i}));
    }
  }

  @Test
  void carriesLargePayloadsBothWaysWithManyInFlight() throws Exception {
    SSLContext tls = TestTls.context();
    PacketConnection[] pair = enginePair(tls, echo("big-client"), echo("big-server"));
    Random random = new Random(42);
    int inFlight = 8;
    int size = 1024 * 1024; // about 64 TLS records a frame
    List<byte[]> sent = new ArrayList<>();
    List<CompletableFuture<Response>> fromClient = new ArrayList<>();
    List<CompletableFuture<Response>> fromServer = new ArrayList<>();
    for (int i = 0; i < inFlight; i++) {
      byte[] a = new byte[size + i];
      random.nextBytes(a);
      sent.add(a);
      fromClient.add(pair[0].submit(1, i, a));
      fromServer.add(pair[1].submit(0, i, a));
    }
    for (int i = 0; i < inFlight; i++) {
      assertThat(fromClient.get(i).get(60, TimeUnit.SECONDS))
          .isEqualTo(new Response(true, i, reversed(sent.get(i))));
      assertThat(fromServer.get(i).get(60, TimeUnit.SECONDS))
          .isEqualTo(new Response(true, i, sent.get(i)));
    }
    assertThat(pair[0].bytesReceived()).isGreaterThan((long) inFlight * size * 2);
    // quiet again: neither end keeps a network buffer of its own
    for (PacketConnection end : pair) {
      TlsChannelIo io = (TlsChannelIo) end.io();
      await().atMost(WAIT).until(() -> io.heldBufferBytes().get(10, TimeUnit.SECONDS) == 0);
    }
  }

  @Test
  void aBudgetSpentByHeldRequestsEndsEveryRequestOverTls() throws Exception {
    SSLContext tls = TestTls.context();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (EventLoopGroup small = EventLoopGroup.create(1, 256 * 1024)) {
      PacketConnection.Builder blocked =
          PacketConnection.builder()
              .name("budget-server")
              .eventLoops(small)
              .handler(
                  rq -> {
                    release.await();
                    return Response.ok(rq.flags(), reversed(rq.payload()));
                  });
      PacketConnection[] pair =
          enginePair(tls, PacketConnection.builder().name("budget-client"), blocked);
      PacketConnection client = pair[0];
      PacketConnection server = pair[1];
      int count = 20;
      int size = 100 * 1024; // several TLS records each, and more than a reader's allowance
      Random random = new Random(7);
      List<byte[]> sent = new ArrayList<>();
      List<CompletableFuture<Response>> answers = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] p = new byte[size];
        random.nextBytes(p);
        sent.add(p);
        answers.add(client.submit(0, i, p));
      }
      await().atMost(WAIT).until(() -> server.runningRequests() > 0);
      // the handlers hold their requests past the 256 KiB budget; whatever the server read
      // meanwhile is kept or refused, and everything ends once they let go
      Thread.sleep(300);
      release.countDown();
      int ok = 0;
      for (int i = 0; i < count; i++) {
        Response r = answers.get(i).get(30, TimeUnit.SECONDS);
        if (r.ok()) {
          assertThat(r).isEqualTo(new Response(true, i, reversed(sent.get(i))));
          ok++;
        } else {
          // read once reading resumed, while the budget was still spent
          assertThat(new String(r.payload(), java.nio.charset.StandardCharsets.US_ASCII))
              .startsWith("too many requests: the inbound budget is spent");
        }
      }
      assertThat(ok).isPositive();
      await().atMost(WAIT).until(() -> small.bufferedInboundBytes() == 0);
      assertThat(server.state()).isEqualTo(ConnectionState.OPEN);
      client.abort();
      server.abort();
    } finally {
      release.countDown();
    }
  }

  @Test
  void aTls12RenegotiationInTheMiddleOfTrafficKeepsTheStreamWhole() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    SocketChannel[] ends = TestTls.connect(listener);
    SSLEngine serverEngine = TestTls.server(tls);
    SSLEngine clientEngine = TestTls.client(tls, TestTls.port(listener));
    clientEngine.setEnabledProtocols(new String[] {"TLSv1.2"});
    PacketConnection server = closing(echo("reneg-server").open(ends[1], serverEngine, true));
    PacketConnection client = closing(echo("reneg-client").open(ends[0], clientEngine, true));
    exchange(client, server, 0);
    javax.net.ssl.SSLSession first = clientEngine.getSession();
    assertThat(first.getProtocol()).isEqualTo("TLSv1.2");

    // a full new handshake while requests go both ways
    first.invalidate();
    clientEngine.beginHandshake();
    List<CompletableFuture<Response>> during = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      during.add(client.submit(0, i, new byte[20_000 + i]));
      during.add(server.submit(0, i, new byte[20_000 + i]));
    }
    for (int i = 0; i < during.size(); i++) {
      assertThat(during.get(i).get(30, TimeUnit.SECONDS))
          .isEqualTo(new Response(true, i / 2, new byte[20_000 + i / 2]));
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                clientEngine.getSession() != first
                    && clientEngine.getHandshakeStatus()
                        == javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING);
    exchange(client, server, 100);
    assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
    assertThat(server.state()).isEqualTo(ConnectionState.OPEN);
  }

  @Test
  void aTls13KeyUpdateInTheMiddleOfTrafficKeepsTheStreamWhole() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    SocketChannel[] ends = TestTls.connect(listener);
    SSLEngine serverEngine = TestTls.server(tls);
    SSLEngine clientEngine = TestTls.client(tls, TestTls.port(listener));
    PacketConnection server = closing(echo("update-server").open(ends[1], serverEngine, true));
    PacketConnection client = closing(echo("update-client").open(ends[0], clientEngine, true));
    exchange(client, server, 0);
    assertThat(clientEngine.getSession().getProtocol()).isEqualTo("TLSv1.3");
    for (int round = 1; round <= 3; round++) {
      // on an established TLS 1.3 engine a new handshake is a KeyUpdate, answered by the peer
      (round % 2 == 0 ? serverEngine : clientEngine).beginHandshake();
      exchange(client, server, round * 100);
    }
    assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
    assertThat(server.state()).isEqualTo(ConnectionState.OPEN);
  }

  /** Requests both ways, several records each, checked. */
  private static void exchange(PacketConnection client, PacketConnection server, int base)
      throws Exception {
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    Random random = new Random(base);
    for (int i = 0; i < 10; i++) {
      byte[] p = new byte[40_000 + i];
      random.nextBytes(p);
      payloads.add(p);
      answers.add(client.submit(1, base + i, p));
      answers.add(server.submit(0, base + i, p));
    }
    for (int i = 0; i < 10; i++) {
      assertThat(answers.get(2 * i).get(30, TimeUnit.SECONDS))
          .isEqualTo(new Response(true, base + i, reversed(payloads.get(i))));
      assertThat(answers.get(2 * i + 1).get(30, TimeUnit.SECONDS))
          .isEqualTo(new Response(true, base + i, payloads.get(i)));
    }
  }

  @Test
  void anEngineClientTalksToAnSslSocketServer() throws Exception {
    SSLContext tls = TestTls.context();
    PacketServer server =
        closing(
            PacketServer.builder(echo("socket-server"))
                .socketFactory(tls.getServerSocketFactory())
                .bindLoopback(0));
    SocketChannel channel =
        SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    PacketConnection client =
        closing(echo("engine-client").open(channel, TestTls.client(tls, server.port()), true));
    for (int i = 0; i < 30; i++) {
      byte[] payload = new byte[i * 3000];
      Arrays.fill(payload, (byte) (i + 1));
      assertThat(client.call(0, 1, i, payload, WAIT))
          .isEqualTo(new Response(true, i, reversed(payload)));
    }
    await().atMost(WAIT).until(() -> server.connections().size() == 1);
    PacketConnection serverSide = server.connections().get(0);
    assertThat(serverSide.call(0, 0, 3, "from the socket".getBytes(), WAIT))
        .isEqualTo(new Response(true, 3, "from the socket".getBytes()));
    client.close();
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    await().atMost(WAIT).until(() -> serverSide.state() == ConnectionState.CLOSED);
  }

  @Test
  void anSslSocketClientTalksToAnEngineServer() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    java.util.concurrent.atomic.AtomicReference<PacketConnection> serverEnd =
        new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<Void> accepted =
        Threads.run(
            "accept",
            () ->
                serverEnd.set(
                    closing(
                        echo("engine-server").open(listener.accept(), TestTls.server(tls), true))));
    PacketConnection client =
        closing(
            PacketClient.connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), TestTls.port(listener)),
                WAIT,
                tls.getSocketFactory(),
                echo("socket-client")));
    accepted.get(30, TimeUnit.SECONDS);
    PacketConnection server = serverEnd.get();
    for (int i = 0; i < 30; i++) {
      byte[] payload = new byte[i * 3000 + 1];
      Arrays.fill(payload, (byte) i);
      assertThat(client.call(0, 1, i, payload, WAIT))
          .isEqualTo(new Response(true, i, reversed(payload)));
      assertThat(server.call(0, 0, i, payload, WAIT)).isEqualTo(new Response(true, i, payload));
    }
    server.close();
    assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
    await().atMost(WAIT).until(() -> client.state() == ConnectionState.CLOSED);
  }

  @Test
  void aClientThatDoesNotTrustTheServerFailsWithItsRequests() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    SocketChannel[] ends = TestTls.connect(listener);
    PacketConnection server =
        closing(echo("trusted-server").open(ends[1], TestTls.server(tls), true));
    PacketConnection client =
        closing(
            echo("untrusting-client")
                .open(ends[0], TestTls.client(TestTls.untrusting(), TestTls.port(listener)), true));
    CompletableFuture<Response> pending = client.submit(0, 0, "never answered".getBytes());

    assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ConnectionClosedException.class)
        .cause()
        .isInstanceOf(SSLHandshakeException.class);
    await().atMost(WAIT).until(() -> client.state().isTerminal());
    assertThat(client.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(client.failure()).containsInstanceOf(SSLHandshakeException.class);
    // the server learns of it too (the client's alert, or the end of the stream), and ends
    await().atMost(WAIT).until(() -> server.state().isTerminal());
    assertThat(server.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(server.failure().orElseThrow()).isInstanceOf(SSLException.class);
  }

  @Test
  void aClientEngineThatChecksHostNamesRefusesACertificateForAnotherName() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    SocketChannel[] ends = TestTls.connect(listener);
    closing(echo("named-server").open(ends[1], TestTls.server(tls), true));
    SSLEngine wrongName = tls.createSSLEngine("not-the-server.example", TestTls.port(listener));
    wrongName.setUseClientMode(true);
    javax.net.ssl.SSLParameters params = wrongName.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    wrongName.setSSLParameters(params);
    PacketConnection client = closing(echo("checking-client").open(ends[0], wrongName, true));
    CompletableFuture<Response> pending = client.submit(0, 0, new byte[1]);

    assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ConnectionClosedException.class);
    await().atMost(WAIT).until(() -> client.state().isTerminal());
    assertThat(client.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(client.failure().orElseThrow()).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void aPeerThatNeverSaysHelloIsFailedAfterTheHandshakeTimeout() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    Socket silent = closing(new Socket(InetAddress.getLoopbackAddress(), TestTls.port(listener)));
    PacketConnection server =
        closing(
            echo("patient-server")
                .handshakeTimeout(Duration.ofMillis(300))
                .open(listener.accept(), TestTls.server(tls), true));

    await().atMost(WAIT).until(() -> server.state().isTerminal());
    assertThat(server.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(server.failure().orElseThrow())
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("not finished within 300 ms")
        .hasCauseInstanceOf(java.net.SocketTimeoutException.class);
    // the connection owned its channel: the silent peer gets at most an alert record, then EOF
    silent.setSoTimeout(30_000);
    byte[] rest = silent.getInputStream().readAllBytes();
    assertThat(rest.length).isLessThan(64);
    if (rest.length > 0) {
      assertThat(rest[0]).as("TLS content type: alert").isEqualTo((byte) 21);
    }
  }

  @Test
  void aPeerThatHangsUpDuringTheHandshakeFailsTheConnectionAtOnce() throws Exception {
    SSLContext tls = TestTls.context();
    ServerSocketChannel listener = closing(TestTls.listen());
    Socket rude = closing(new Socket(InetAddress.getLoopbackAddress(), TestTls.port(listener)));
    // with both timeouts far beyond the wait below, only the end of the stream can end it
    PacketConnection server =
        closing(
            echo("hung-up-server")
                .handshakeTimeout(Duration.ofMinutes(5))
                .closeTimeout(Duration.ofMinutes(5))
                .open(listener.accept(), TestTls.server(tls), true));
    rude.close();

    await().atMost(WAIT).until(() -> server.state().isTerminal());
    assertThat(server.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(server.failure().orElseThrow())
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("during the TLS handshake");
  }

  @Test
  void theHandshakeTimeoutIsCheckedAndCanBeTurnedOff() {
    assertThatThrownBy(() -> PacketConnection.builder().handshakeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("handshakeTimeout");
    PacketConnection.builder().handshakeTimeout(Duration.ZERO);
  }

  @Test
  void holdsTwoHundredIdleTlsConnectionsWithoutAThreadEach() throws Exception {
    int connections = 200;
    SSLContext tls = TestTls.context();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ServerSocketChannel listener = closing(TestTls.listen());
    int port = TestTls.port(listener);
    int before = threads.getThreadCount();
    List<PacketConnection> servers = new ArrayList<>();
    List<PacketConnection> clients = new ArrayList<>();
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    // handlers on the loop: a handler pool's threads would blur what connections cost
    // 400 handshakes at once on a machine that may be busy: time enough for all of them
    PacketConnection.Builder serverSide =
        echo("idle-server").executor(Runnable::run).handshakeTimeout(Duration.ofSeconds(90));
    for (int i = 0; i < connections; i++) {
      SocketChannel[] ends = TestTls.connect(listener);
      servers.add(closing(serverSide.open(ends[1], TestTls.server(tls), true)));
      PacketConnection c =
          closing(
              PacketConnection.builder()
                  .name("idle-client-" + i)
                  .handshakeTimeout(Duration.ofSeconds(90))
                  .open(ends[0], TestTls.client(tls, port), true));
      clients.add(c);
      answers.add(c.submit(0, i, new byte[] {(byte) i}));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(100, TimeUnit.SECONDS);
    for (int i = 0; i < connections; i++) {
      assertThat(answers.get(i).join()).isEqualTo(new Response(true, i, new byte[] {(byte) i}));
    }
    assertThat(servers).allMatch(s -> s.state() == ConnectionState.OPEN);
    assertThat(clients).allMatch(c -> c.state() == ConnectionState.OPEN);
    // and idle, no end keeps a network buffer of its own
    List<PacketConnection> ends = new ArrayList<>(servers);
    ends.addAll(clients);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              long held = 0;
              for (PacketConnection end : ends) {
                held += ((TlsChannelIo) end.io()).heldBufferBytes().get(10, TimeUnit.SECONDS);
              }
              return held == 0;
            });
    // 400 TLS connection ends; a thread each would add 400 or more
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(threads.getThreadCount() - before)
                    .as("threads added for %d idle TLS connection pairs", connections)
                    .isLessThan(32));
  }
}
