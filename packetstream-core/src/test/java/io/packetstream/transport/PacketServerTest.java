package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.connection.TrafficListener;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's own limits and its shutdown, with real clients over loopback TCP. */
@Timeout(60)
class PacketServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void disconnectsAPeerBeyondMaxConnectionsAndServesTheOthers() throws Exception {
    PacketConnection.Builder echo =
        PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(echo).maxConnections(1).bindLoopback(0);
        PacketConnection first =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(first.call(0, 0, 0, new byte[] {1}, WAIT)).isEqualTo(Response.ok(new byte[] {1}));
      try (RawPeer extra = new RawPeer(server.port())) {
        assertThat(extra.awaitEnd()).as("the extra peer is disconnected").isTrue();
      }
      assertThat(server.acceptedCount()).isEqualTo(2);
      assertThat(server.connections()).hasSize(1);
      assertThat(first.call(0, 0, 0, new byte[] {2}, WAIT)).isEqualTo(Response.ok(new byte[] {2}));
    }
  }

  /**
   * While the server does not admit new peers, one that connects is disconnected before any of its
   * requests is read, so none runs; peers already connected are served on, and new ones are
   * admitted again later.
   */
  @Test
  void aPeerThatConnectsWhileNotAdmittingIsDisconnectedAndNoneOfItsRequestsRuns() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean admitting =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
    PacketConnection.Builder counting =
        PacketConnection.builder()
            .handler(
                rq -> {
                  ran.incrementAndGet();
                  return Response.ok(rq.payload());
                });
    try (PacketServer server =
            PacketServer.builder(counting)
                .admitting(admitting::get)
                .admitting(() -> true) // adds a condition, replacing none: both must say true
                .bindLoopback(0);
        PacketConnection first =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(first.call(0, 0, 0, new byte[] {1}, WAIT)).isEqualTo(Response.ok(new byte[] {1}));
      admitting.set(false);
      try (RawPeer refused = new RawPeer(server.port())) {
        refused.send(io.packetstream.wire.Packet.request(0, 1, 0, 0, new byte[] {9}));
        assertThat(refused.awaitEnd()).as("the new peer is disconnected").isTrue();
      }
      assertThat(ran).as("requests run").hasValue(1);
      assertThat(server.connections()).containsExactly(server.connections().get(0));
      assertThat(first.call(0, 0, 0, new byte[] {2}, WAIT)).isEqualTo(Response.ok(new byte[] {2}));

      assertThat(first.tlsSession()).as("not over TLS").isEmpty();
      admitting.set(true);
      try (PacketConnection later =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        assertThat(later.call(0, 0, 0, new byte[] {3}, WAIT))
            .isEqualTo(Response.ok(new byte[] {3}));
      }
    }
  }

  /**
   * A connection that has ended by the time the server lists it (here aborted by the open hook)
   * leaves the list at once: its place goes to the next peer.
   */
  @Test
  void aConnectionThatEndedBeforeItWasListedFreesItsPlace() throws Exception {
    PacketConnection.Builder echo =
        PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(echo).maxConnections(1).bindLoopback(0)) {
      java.util.concurrent.atomic.AtomicBoolean first =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      server.afterOpen(
          c -> {
            if (first.getAndSet(false)) {
              c.abort();
            }
          });
      try (RawPeer aborted = new RawPeer(server.port())) {
        assertThat(aborted.awaitEnd()).as("the first peer's connection ended").isTrue();
      }
      try (PacketConnection second =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        assertThat(second.call(0, 0, 0, new byte[] {1}, WAIT))
            .isEqualTo(Response.ok(new byte[] {1}));
      }
      assertThat(server.acceptedCount()).isEqualTo(2);
    }
  }

  @Test
  void saysOnceThatItIsFullNotOncePerRefusedPeer() throws Exception {
    PacketConnection.Builder echo =
        PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));
    try (LogCapture log = new LogCapture(PacketServer.class, "full-server:");
        PacketServer server =
            PacketServer.builder(echo).name("full-server").maxConnections(1).bindLoopback(0);
        PacketConnection first =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(first.call(0, 0, 0, new byte[] {1}, WAIT)).isEqualTo(Response.ok(new byte[] {1}));
      for (int i = 0; i < 5; i++) {
        try (RawPeer extra = new RawPeer(server.port())) {
          assertThat(extra.awaitEnd()).as("extra peer %d is disconnected", i + 1).isTrue();
        }
      }
      assertThat(server.acceptedCount()).isEqualTo(6);
      List<java.util.logging.LogRecord> lines = log.atLeast(java.util.logging.Level.WARNING);
      assertThat(lines).as("lines for five refused peers").hasSize(1);
      assertThat(lines.get(0).getMessage()).contains("refused", "limit maxConnections");
    }
  }

  @Test
  void closeLetsTheRequestsInFlightFinish() throws Exception {
    CountDownLatch started = new CountDownLatch(3);
    CountDownLatch release = new CountDownLatch(1);
    PacketConnection.Builder slow =
        PacketConnection.builder()
            .handler(
                rq -> {
                  started.countDown();
                  release.await(10, TimeUnit.SECONDS);
                  return Response.ok(rq.payload());
                });
    PacketServer server = PacketServer.builder(slow).bindLoopback(0);
    try (PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      List<CompletableFuture<Response>> inFlight = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        inFlight.add(client.submit(0, 0, ("r" + i).getBytes(StandardCharsets.US_ASCII)));
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(server::close, r -> new Thread(r).start());
      await().atMost(WAIT).until(() -> !server.isListening());
      release.countDown();
      closing.get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        assertThat(inFlight.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("r" + i));
      }
      assertThat(server.connections()).isEmpty();
      await().atMost(WAIT).until(() -> client.state() == ConnectionState.CLOSED);
    }
  }

  /**
   * The thread that opened a connection is slow to finish with it (a loaded machine): close()
   * begins meanwhile, while the connection already serves its peer. The close must still let the
   * requests in flight finish, not end the connection at once as one opened too late.
   */
  @Test
  void aConnectionStillBeingOpenedWhenCloseBeginsIsClosedGracefully() throws Exception {
    CountDownLatch started = new CountDownLatch(3);
    CountDownLatch release = new CountDownLatch(1);
    PacketConnection.Builder slow =
        PacketConnection.builder()
            .handler(
                rq -> {
                  started.countDown();
                  release.await(10, TimeUnit.SECONDS);
                  return Response.ok(rq.payload());
                });
    PacketServer server = PacketServer.builder(slow).bindLoopback(0);
    Thread closer = new Thread(server::close, "closer");
    CountDownLatch closerStarted = new CountDownLatch(1);
    server.afterOpen(
        c -> {
          try {
            if (started.await(10, TimeUnit.SECONDS) && closerStarted.await(10, TimeUnit.SECONDS)) {
              // until close() has begun: it stopped listening, or it waits to
              long deadline = System.nanoTime() + WAIT.toNanos();
              while (server.isListening()
                  && closer.getState() != Thread.State.BLOCKED
                  && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try (PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      List<CompletableFuture<Response>> inFlight = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        inFlight.add(client.submit(0, 0, ("r" + i).getBytes(StandardCharsets.US_ASCII)));
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      closer.start();
      closerStarted.countDown();
      await().atMost(WAIT).until(() -> !server.isListening());
      release.countDown();
      for (int i = 0; i < 3; i++) {
        assertThat(inFlight.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("r" + i));
      }
      closer.join(WAIT.toMillis() * 2);
      assertThat(closer.isAlive()).as("close() returned").isFalse();
      await().atMost(WAIT).until(() -> client.state() == ConnectionState.CLOSED);
    } finally {
      release.countDown();
      server.abort();
    }
  }

  /**
   * A connection that has ended is no longer listed, even before the server's own bookkeeping has
   * heard of its end: so close(), which returns once every connection has ended, leaves none.
   */
  @Test
  void listsNoConnectionThatHasEnded() throws Exception {
    List<List<PacketConnection>> listedAtEnd = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicReference<PacketServer> serverRef = new AtomicReference<>();
    PacketConnection.Builder echo =
        PacketConnection.builder()
            .handler(rq -> Response.ok(rq.payload()))
            .listener(
                new TrafficListener() {
                  @Override
                  public void connectionClosed(
                      PacketConnection connection, Optional<Throwable> failure) {
                    listedAtEnd.add(serverRef.get().connections());
                  }
                });
    try (PacketServer server = PacketServer.builder(echo).bindLoopback(0)) {
      serverRef.set(server);
      try (PacketConnection client =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        assertThat(client.call(0, 0, 0, new byte[] {1}, WAIT))
            .isEqualTo(Response.ok(new byte[] {1}));
        server.close();
        assertThat(server.connections()).isEmpty();
      }
      assertThat(listedAtEnd).hasSize(1);
      assertThat(listedAtEnd.get(0)).as("listed as it ended").isEmpty();
    }
  }

  @Test
  void bindingToAnUnknownHostNamesIt() {
    // the channel's UnresolvedAddressException said null, which `serve --host` printed as is
    for (PacketServer.Builder builder :
        List.of(
            PacketServer.builder(PacketConnection.builder()),
            PacketServer.builder(PacketConnection.builder())
                .socketFactory(javax.net.ServerSocketFactory.getDefault()))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> builder.bind(InetSocketAddress.createUnresolved("no-such-host.invalid", 0)))
          .isInstanceOf(java.net.UnknownHostException.class)
          .hasMessageContaining("no-such-host.invalid");
    }
  }
}
