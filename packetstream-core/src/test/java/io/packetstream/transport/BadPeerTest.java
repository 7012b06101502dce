package io.packetstream.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.connection.TrafficListener;
import io.packetstream.wire.BSUInt;
import io.packetstream.wire.MalformedFrameException;
import io.packetstream.wire.Packet;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scripted bad peer over a real socket does each of the things PROTOCOL.md section 6 warns about;
 * the server answers with a clear error, and a well-behaved client on the same server keeps being
 * served throughout.
 */
@Timeout(60)
class BadPeerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<Optional<Throwable>> endings = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private PacketServer server;
  private PacketConnection good;

  @BeforeEach
  void start() throws Exception {
    TrafficListener endingsOf =
        new TrafficListener() {
          @Override
          public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
            endings.add(failure);
          }
        };
    server =
        PacketServer.builder(
                PacketConnection.builder()
                    .maxFrameLength(1024)
                    .maxConcurrentRequests(2)
                    .maxQueuedRequests(2)
                    .listener(endingsOf)
                    .handler(
                        rq -> {
                          if (rq.rqType() == 9) {
                            release.await(10, TimeUnit.SECONDS);
                          }
                          return Response.ok(rq.payload());
                        }))
            .bindLoopback(0);
    good = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    assertGoodClientServed();
  }

  @AfterEach
  void stop() {
    release.countDown();
    good.close();
    server.close();
  }

  private void assertGoodClientServed() throws Exception {
    assertThat(good.call(0, 0, 0, "still here".getBytes(US_ASCII), WAIT))
        .isEqualTo(Response.ok("still here"));
  }

  /** Waits for the bad connection to end and returns the error it ended with. */
  private Throwable failureOfBadConnection() {
    await().atMost(WAIT).until(() -> !endings.isEmpty());
    assertThat(endings).hasSize(1);
    assertThat(endings.get(0)).as("the bad connection ended with an error").isPresent();
    return endings.get(0).get();
  }

  @Test
  void closesAConnectionThatAnnouncesAnOversizedFrame() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.sendBytes(BSUInt.encode(1L << 40));
      assertThat(bad.awaitEnd()).isTrue();
    }
    assertThat(failureOfBadConnection())
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("frame length 1099511627776")
        .hasMessageContaining("limit of 1024 bytes");
    assertGoodClientServed();
  }

  @Test
  void closesAConnectionThatEndsInsideAFrame() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.sendBytes(HexFormat.of().parseHex("0a0102016162"));
      bad.shutdownOutput();
      assertThat(bad.awaitEnd()).isTrue();
    }
    assertThat(failureOfBadConnection())
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("stream ends inside a frame");
    assertGoodClientServed();
  }

  @Test
  void closesAConnectionThatSendsAnOverlongInteger() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.sendBytes(HexFormat.of().parseHex("0d8080808080808080808080010201"));
      assertThat(bad.awaitEnd()).isTrue();
    }
    assertThat(failureOfBadConnection())
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("integer longer than 10 bytes");
    assertGoodClientServed();
  }

  @Test
  void closesAConnectionThatSendsAMalformedControlPacket() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.sendBytes(
          HexFormat.of().parseHex("03050200")); // wire rq_type 0, tag 5: neither EOF nor ERQ
      assertThat(bad.awaitEnd()).isTrue();
    }
    assertThat(failureOfBadConnection())
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("malformed control packet");
    assertGoodClientServed();
  }

  @Test
  void refusesAnUnknownChannelAndKeepsTheConnection() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.send(Packet.request(7, 2, 0, 0, new byte[0]));
      assertThat(bad.receive())
          .isEqualTo(Packet.response(7, 2, false, 0, "unknown channel %d".getBytes(US_ASCII)));
      bad.send(Packet.request(0, 3, 0, 0, "ok".getBytes(US_ASCII)));
      assertThat(bad.receive()).isEqualTo(Packet.response(0, 3, true, 0, "ok".getBytes(US_ASCII)));
    }
    assertGoodClientServed();
  }

  @Test
  void refusesRequestsThatFollowThePeersOwnErq() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.send(Packet.request(0, 2, 0, 0, "before".getBytes(US_ASCII)));
      assertThat(bad.receive())
          .isEqualTo(Packet.response(0, 2, true, 0, "before".getBytes(US_ASCII)));
      bad.send(Packet.ERQ);
      bad.send(Packet.request(0, 3, 0, 0, "after".getBytes(US_ASCII)));
      assertThat(bad.receive())
          .isEqualTo(
              Packet.response(0, 3, false, 0, "requests no longer allowed".getBytes(US_ASCII)));
    }
    assertGoodClientServed();
  }

  @Test
  void aConnectionThatReceivesGarbageEndsFailedAndSaysWhy() throws Exception {
    try (java.net.ServerSocket garbage =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      PacketConnection client =
          PacketClient.connect("127.0.0.1", garbage.getLocalPort(), PacketConnection.builder());
      try (java.net.Socket accepted = garbage.accept()) {
        accepted
            .getOutputStream()
            .write(HexFormat.of().parseHex("03050200")); // a malformed control packet
        accepted.getOutputStream().flush();
        client.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertThat(client.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(client.failure())
          .get()
          .isInstanceOf(MalformedFrameException.class)
          .extracting(Throwable::getMessage)
          .asString()
          .contains("malformed control packet");
      assertThatThrownBy(() -> client.call(0, 0, 0, new byte[0], WAIT))
          .isInstanceOf(io.packetstream.connection.ConnectionClosedException.class)
          .hasMessageContaining("failed");
      client.close();
    }
    assertGoodClientServed();
  }

  @Test
  void refusesADuplicateTagWhileItsFirstRequestRunsAndStillAnswersTheFirst() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      bad.send(Packet.request(0, 7, 0, 9, "first".getBytes(US_ASCII)));
      bad.send(Packet.request(0, 7, 0, 0, "second".getBytes(US_ASCII)));
      assertThat(bad.receive())
          .isEqualTo(
              Packet.response(
                  0, 7, false, 0, "channel 0: tag already in use: 7".getBytes(US_ASCII)));
      release.countDown();
      assertThat(bad.receive())
          .isEqualTo(Packet.response(0, 7, true, 0, "first".getBytes(US_ASCII)));
    }
    assertGoodClientServed();
  }

  @Test
  void refusesAFloodBeyondItsLimitsWithoutBufferingIt() throws Exception {
    try (RawPeer bad = new RawPeer(server.port())) {
      ByteArrayOutputStream flood = new ByteArrayOutputStream();
      for (int tag = 2; tag < 102; tag++) {
        flood.write(
            io.packetstream.wire.PacketCodec.encode(Packet.request(0, tag, 0, 9, new byte[10])));
      }
      bad.sendBytes(flood.toByteArray());
      // two run, two wait, and the other 96 are refused at once, naming the limits
      for (int i = 0; i < 96; i++) {
        Packet refusal = bad.receive();
        assertThat(refusal.ok()).isFalse();
        assertThat(new String(refusal.payload(), US_ASCII)).startsWith("too many requests");
      }
      assertGoodClientServed();
      release.countDown();
      for (int i = 0; i < 4; i++) {
        assertThat(bad.receive().ok()).isTrue();
      }
    }
  }

  @Test
  void failsPendingRequestsPromptlyWhenThePeerVanishes() throws Exception {
    try (java.net.ServerSocket vanishing =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      PacketConnection client =
          PacketClient.connect("127.0.0.1", vanishing.getLocalPort(), PacketConnection.builder());
      var pending = client.submit(0, 0, new byte[10]);
      try (java.net.Socket accepted = vanishing.accept()) {
        accepted.getInputStream().readNBytes(3); // the request arrived; now vanish without a word
      }
      assertThat(pending)
          .failsWithin(WAIT)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(io.packetstream.connection.ConnectionClosedException.class);
      await().atMost(WAIT).until(() -> client.state().isTerminal());
      client.close();
    }
    assertGoodClientServed();
  }

  @Test
  void tracksLiveConnectionsAndDropsEndedOnes() throws Exception {
    // the accepting thread adds the good client's connection once open() returns, which can be
    // just after its first answer went out
    await().atMost(WAIT).until(() -> server.connections().size() == 1);
    PacketConnection second =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    assertThat(second.call(0, 0, 0, new byte[0], WAIT).ok()).isTrue();
    // the accepting thread adds the connection once open() returns, which can be just after the
    // connection's own reader answered
    await().atMost(WAIT).until(() -> server.connections().size() == 2);
    second.close();
    await().atMost(WAIT).until(() -> server.connections().size() == 1);
    assertThat(second.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(endings).containsExactly(Optional.empty());
  }

  @Test
  void closesWithinItsTimeoutWhenThePeerStopsReading() throws Exception {
    try (java.net.ServerSocket deaf =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      PacketConnection client =
          PacketClient.connect(
              "127.0.0.1",
              deaf.getLocalPort(),
              PacketConnection.builder().closeTimeout(Duration.ofMillis(300)));
      try (java.net.Socket accepted = deaf.accept()) {
        // the peer never reads: requests pile up until the socket buffers are full
        java.util.List<java.util.concurrent.CompletableFuture<Response>> pending =
            new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
          pending.add(client.submit(0, 0, new byte[1 << 20]));
        }
        long start = System.nanoTime();
        client.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
        assertThat(client.state().isTerminal()).isTrue();
        for (var p : pending) {
          assertThat(p)
              .failsWithin(WAIT)
              .withThrowableOfType(java.util.concurrent.ExecutionException.class)
              .withCauseInstanceOf(io.packetstream.connection.ConnectionClosedException.class);
        }
      }
    }
    assertGoodClientServed();
  }
}
