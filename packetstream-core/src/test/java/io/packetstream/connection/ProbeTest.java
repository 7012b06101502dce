package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.SharedWire;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Liveness probes ({@link PacketConnection.Builder#probeInterval}): a silent peer fails the
 * connection, any answer (the Python original's refusal too) keeps it, a busy connection sends
 * none, and this end answers the peer's probes without its handler.
 */
@Timeout(60)
class ProbeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  /** The two kinds of transport: the event loop's socket channels and a socket's streams. */
  enum Transport {
    CHANNEL,
    STREAM
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aPeerThatReadsButNeverAnswersFailsTheConnectionAndItsPendingRequests(Transport transport)
      throws Exception {
    PacketConnection.Builder builder =
        PacketConnection.builder()
            .probeInterval(Duration.ofMillis(200))
            .probeTimeout(Duration.ofMillis(300));
    try (Link link = new Link(builder, transport)) {
      List<Packet> seen = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> reading = link.peerAnswers(seen, request -> null);
      CompletableFuture<Response> pending = link.connection.submit(1, 0, new byte[] {1});

      await().atMost(WAIT).until(() -> link.connection.state().isTerminal());
      assertThat(link.connection.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(link.connection.failure())
          .get()
          .isInstanceOf(SocketTimeoutException.class)
          .asString()
          .contains("probeTimeout=PT0.3S");
      assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining("liveness probe")
          .hasMessageContaining("probeTimeout");
      // the peer did get a probe: a request of the reserved type on channel 0, empty
      assertThat(seen)
          .anySatisfy(
              p -> {
                assertThat(p.request()).isTrue();
                assertThat(p.channel()).isZero();
                assertThat(p.rqType()).isEqualTo(PacketConnection.PROBE_TYPE);
                assertThat(p.payload()).isEmpty();
              });
      reading.get(WAIT.toSeconds(), TimeUnit.SECONDS); // the connection closed its socket
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void theOriginalsRefusalOfAnUnknownTypeKeepsTheConnectionOpen(Transport transport)
      throws Exception {
    Packet refusal = recordedRefusalOfAnUnknownType();
    assertThat(refusal.ok()).as("the recording's answer is a refusal").isFalse();
    PacketConnection.Builder builder =
        PacketConnection.builder()
            .probeInterval(Duration.ofMillis(100))
            .probeTimeout(Duration.ofMillis(500));
    try (Link link = new Link(builder, transport)) {
      List<Packet> seen = new CopyOnWriteArrayList<>();
      link.peerAnswers(
          seen,
          request ->
              new Packet(
                  request.channel(),
                  request.tag(),
                  refusal.flags(),
                  false,
                  Packet.NO_RQ_TYPE,
                  refusal.payload()));
      // several probes, each refused, each more than a probe timeout after the one before
      await().atMost(WAIT).until(() -> probes(seen) >= 4 || link.connection.state().isTerminal());
      assertThat(link.connection.failure()).isEmpty();
      assertThat(link.connection.state()).isEqualTo(ConnectionState.OPEN);
      assertThat(link.connection.call(0, 3, 0, new byte[0], WAIT).ok())
          .as("a request after the probes is answered (refused) too")
          .isFalse();
      assertThat(link.connection.state()).isEqualTo(ConnectionState.OPEN);
    }
  }

  @Test
  void aBusyConnectionSendsNoProbesAndAQuietOneDoes() throws Exception {
    AtomicInteger probesReceived = new AtomicInteger();
    TrafficListener countsProbes =
        new TrafficListener() {
          @Override
          public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
            if (packet.request() && packet.rqType() == PacketConnection.PROBE_TYPE) {
              probesReceived.incrementAndGet();
            }
          }
        };
    PacketConnection.Builder serving =
        PacketConnection.builder().listener(countsProbes).handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder().probeInterval(Duration.ofMillis(1500)))) {
      // answers arrive every few ms for three intervals: the peer is heard from all along
      long end = System.nanoTime() + Duration.ofMillis(4500).toNanos();
      int calls = 0;
      while (System.nanoTime() < end && calls < 100_000) {
        assertThat(client.call(0, 1, 0, new byte[] {1}, WAIT).ok()).isTrue();
        calls++;
        Thread.sleep(5);
      }
      assertThat(probesReceived.get()).as("probes during busy traffic").isZero();
      // quiet now: probes come, each answered ok by the server's connection itself
      await().atMost(WAIT).until(() -> probesReceived.get() >= 2);
      assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
    }
  }

  @Test
  void answersThePeersProbesItselfWithoutTheHandlerOrTheListenersRequestEvents() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    RecordingListener listener = new RecordingListener();
    PacketConnection.Builder builder =
        PacketConnection.builder()
            .listener(listener)
            .handler(
                rq -> {
                  handled.incrementAndGet();
                  return Response.ok(new byte[] {9});
                });
    try (RawPeerLink link = new RawPeerLink(builder)) {
      link.peer.send(Packet.request(0, 2, 0, PacketConnection.PROBE_TYPE, new byte[0]));
      assertThat(link.peer.receive()).isEqualTo(Packet.response(0, 2, true, 0, new byte[0]));
      // an application request still reaches the handler
      link.peer.send(Packet.request(0, 3, 0, 1, new byte[0]));
      assertThat(link.peer.receive()).isEqualTo(Packet.response(0, 3, true, 0, new byte[] {9}));
      assertThat(handled.get()).isEqualTo(1);
      await().atMost(WAIT).until(() -> listener.finished.size() == 1);
      assertThat(listener.started).containsExactly("INBOUND 0/3");
      assertThat(listener.finished).extracting(RecordingListener.Finished::tag).containsExactly(3L);
    }
  }

  @Test
  void answersProbesBesideABufferHandlerOnTheLoopAndWithoutAnyHandler() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PacketConnection.Builder direct =
        PacketConnection.builder()
            .bufferHandler(
                (type, flags, in, out) -> {
                  handled.incrementAndGet();
                  out.put((byte) 9);
                  return 0;
                });
    try (RawPeerLink link = new RawPeerLink(direct)) {
      link.peer.send(Packet.request(0, 2, 0, PacketConnection.PROBE_TYPE, new byte[0]));
      assertThat(link.peer.receive()).isEqualTo(Packet.response(0, 2, true, 0, new byte[0]));
      link.peer.send(Packet.request(0, 3, 0, 1, new byte[0]));
      assertThat(link.peer.receive()).isEqualTo(Packet.response(0, 3, true, 0, new byte[] {9}));
      assertThat(handled.get()).isEqualTo(1);
    }
    try (RawPeerLink link = new RawPeerLink(PacketConnection.builder())) {
      link.peer.send(Packet.request(0, 2, 0, PacketConnection.PROBE_TYPE, new byte[0]));
      assertThat(link.peer.receive()).isEqualTo(Packet.response(0, 2, true, 0, new byte[0]));
    }
  }

  @Test
  void probesDoNotKeepAConnectionFromItsIdleTimeout() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .idleTimeout(Duration.ofMillis(800))
            .probeInterval(Duration.ofMillis(100))
            .handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder().probeInterval(Duration.ofMillis(100)))) {
      assertThat(client.call(0, 1, 0, new byte[] {1}, WAIT).ok()).isTrue();
      // both ends probe every 100 ms, yet the server closes the connection as idle
      client.termination().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(client.packetsReceived()).as("probes were answered meanwhile").isGreaterThan(2);
    }
  }

  @Test
  void anAnswerThatArrivesWhileTheLoopStallsPastTheProbeTimeoutKeepsTheConnection()
      throws Exception {
    // the loop stalls (a GC pause, a busy machine) right after it sent its first probe, for longer
    // than the probe timeout; the peer's answer arrives meanwhile and waits unread when the
    // deadline comes due, since a loop runs its due timers before it reads
    AtomicInteger stalls = new AtomicInteger();
    TrafficListener stallsAfterProbe =
        new TrafficListener() {
          @Override
          public void packetSent(PacketConnection connection, Packet packet, int bytes) {
            if (packet.request()
                && packet.rqType() == PacketConnection.PROBE_TYPE
                && stalls.getAndIncrement() == 0) {
              connection
                  .loop()
                  .execute(
                      () -> {
                        try {
                          Thread.sleep(900);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      });
            }
          }
        };
    try (EventLoopGroup loop = EventLoopGroup.create(1);
        Link link =
            new Link(
                PacketConnection.builder()
                    .eventLoops(loop)
                    .listener(stallsAfterProbe)
                    .probeInterval(Duration.ofMillis(100))
                    .probeTimeout(Duration.ofMillis(300)),
                Transport.CHANNEL)) {
      List<Packet> seen = new CopyOnWriteArrayList<>();
      link.peerAnswers(
          seen,
          request -> {
            try {
              Thread.sleep(100); // well inside the stall
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return Packet.response(request.channel(), request.tag(), true, 0, new byte[0]);
          });
      await().atMost(WAIT).until(() -> probes(seen) >= 3 || link.connection.state().isTerminal());
      assertThat(link.connection.failure()).isEmpty();
      assertThat(link.connection.state()).isEqualTo(ConnectionState.OPEN);
    }
  }

  @Test
  void refusesAZeroProbeTimeoutAndANegativeInterval() {
    PacketConnection.Builder builder = PacketConnection.builder();
    assertThatThrownBy(() -> builder.probeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probeInterval");
    assertThatThrownBy(() -> builder.probeInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  private static long probes(List<Packet> packets) {
    return packets.stream()
        .filter(p -> p.request() && p.rqType() == PacketConnection.PROBE_TYPE)
        .count();
  }

  /** What the original answered to request type 9, which its service does not know. */
  private static Packet recordedRefusalOfAnUnknownType() throws IOException {
    JsonNode recording = SharedWire.json("handlers_sequential.json");
    long tag = -1;
    for (JsonNode p : recording.get("client_to_server").get("packets")) {
      if (p.get("is_request").asBoolean() && p.get("rq_type").longValue() == 9 + 1) {
        tag = p.get("tag").longValue();
      }
    }
    byte[] answers = SharedWire.bytes("handlers_sequential.s2c.bin");
    for (JsonNode p : recording.get("server_to_client").get("packets")) {
      if (p.get("tag").longValue() == tag) {
        return new PacketCodec()
            .read(
                new ByteArrayInputStream(
                    answers, p.get("offset").intValue(), p.get("length").intValue()));
      }
    }
    throw new IllegalStateException("no answer to request type 9 in the recording");
  }

  /** A connection under test over 127.0.0.1 whose peer is a raw socket run by the test. */
  private static final class Link implements AutoCloseable {

    final PacketConnection connection;
    private final Socket peer;
    private final PacketCodec codec = new PacketCodec();

    Link(PacketConnection.Builder builder, Transport transport) throws IOException {
      InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      if (transport == Transport.CHANNEL) {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
          listener.bind(loopback);
          peer = connectTo(((InetSocketAddress) listener.getLocalAddress()).getPort());
          SocketChannel accepted = listener.accept();
          connection = builder.open(accepted, true);
        }
      } else {
        try (ServerSocket listener = new ServerSocket()) {
          listener.bind(loopback);
          peer = connectTo(listener.getLocalPort());
          connection = builder.open(listener.accept(), true);
        }
      }
    }

    private static Socket connectTo(int port) throws IOException {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      s.setSoTimeout(10_000);
      return s;
    }

    /**
     * Reads every packet the connection sends into {@code seen}, and answers each request with what
     * {@code answer} makes of it (null: no answer), until the connection ends the stream; at most
     * 10,000 packets, and the future fails after 10 s of silence.
     */
    CompletableFuture<Void> peerAnswers(List<Packet> seen, Function<Packet, Packet> answer) {
      return Threads.run(
          "raw peer",
          () -> {
            for (int i = 0; i < 10_000; i++) {
              Packet p;
              try {
                p = codec.read(peer.getInputStream());
              } catch (SocketTimeoutException e) {
                throw e;
              } catch (IOException e) {
                return; // the connection closed the socket
              }
              if (p == null || p.isEof()) {
                return;
              }
              seen.add(p);
              Packet reply = p.request() && !p.isControl() ? answer.apply(p) : null;
              if (reply != null) {
                peer.getOutputStream().write(PacketCodec.encode(reply));
              }
            }
          });
    }

    @Override
    public void close() throws IOException {
      connection.abort();
      peer.close();
    }
  }
}
