package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A group's budget for buffered inbound bytes: past it, a connection that holds more than its
 * allowance refuses its peer's new requests with a clear not-ok while it keeps reading (so the
 * answers to its own requests still come in), and a reader holding a partial frame beyond its
 * allowance stops reading until requests finish; connections whose peers send little carry on.
 */
@Timeout(60)
class InboundBudgetTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long BUDGET = 1024 * 1024;
  private static final int BIG = 256 * 1024;
  private static final int REQUESTS = 40; // 10 MiB, far over the budget
  private static final String REFUSED = "too many requests: the inbound budget is spent";

  @Test
  void aConnectionHoldingTheBudgetRefusesMoreAndOthersGoOn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService handlers = Executors.newCachedThreadPool();
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET)) {
      PacketConnection.Builder serving =
          PacketConnection.builder()
              .eventLoops(loops)
              .executor(handlers)
              .maxConcurrentRequests(REQUESTS)
              .handler(
                  rq -> {
                    if (rq.payload().length >= BIG) {
                      release.await(30, TimeUnit.SECONDS);
                    }
                    return Response.ok(rq.flags(), new byte[0]);
                  });
      try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
          PacketConnection heavy =
              PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
          PacketConnection light =
              PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        List<CompletableFuture<Response>> big = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          big.add(heavy.submit(0, 1, i, new byte[BIG], Duration.ZERO));
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() >= BUDGET);
        await().atMost(WAIT).until(() -> server.connections().size() == 2);
        PacketConnection heavyOnServer =
            server.connections().stream()
                .filter(c -> c.runningRequests() > 0)
                .findFirst()
                .orElseThrow();
        long received = heavyOnServer.packetsReceived();
        Thread.sleep(300);
        assertThat(heavyOnServer.packetsReceived())
            .as("the reader paused past the budget")
            .isEqualTo(received);
        // what is buffered stays near the budget, far below what was sent
        for (int i = 0; i < 10; i++) {
          assertThat(loops.bufferedInboundBytes())
              .isLessThanOrEqualTo(BUDGET + 2L * BIG + 128 * 1024);
          Thread.sleep(50);
        }
        // the light connection's small requests are served all the while
        for (int i = 0; i < 20; i++) {
          assertThat(light.call(0, 1, i, new byte[16], WAIT).ok()).isTrue();
        }
        release.countDown();
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<Response> f : big) {
          Response r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
          if (r.ok()) {
            ok++;
          } else {
            assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).startsWith(REFUSED);
            refused++;
          }
        }
        // every request ended: answered, or refused with the budget named (big frames mostly
        // wait in TCP while the reader pauses; those read past the budget are refused)
        assertThat(ok + refused).isEqualTo(REQUESTS);
        assertThat(ok).isPositive();
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
      }
    } finally {
      release.countDown();
      handlers.shutdownNow();
    }
  }

  /**
   * Peers that each send most of a large frame and hold the rest take no more than the budget and
   * one frame between them: partial frames alone never paused their readers, so 31 peers sending 15
   * MB of a 16 MiB frame each took a 512 MB server's heap. Once the frames are finished, every one
   * is answered: the readers that waited never wait for one another for ever.
   */
  @Test
  void partialFramesAloneTakeNoMoreThanTheBudgetAndOneFrame() throws Exception {
    int peers = 8;
    int frame = 4 * 1024 * 1024;
    byte[] whole =
        io.packetstream.wire.PacketCodec.encode(
            io.packetstream.wire.Packet.request(0, 2, 0, 1, new byte[frame]));
    int first = 2 * 1024 * 1024; // half of each frame now, the rest once the server has held still
    ExecutorService senders = Executors.newCachedThreadPool();
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET);
        PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .eventLoops(loops)
                        .handler(rq -> Response.ok(rq.flags(), new byte[] {1})))
                .bindLoopback(0)) {
      List<RawPeer> raw = new ArrayList<>();
      List<java.util.concurrent.Future<?>> halves = new ArrayList<>();
      try {
        for (int i = 0; i < peers; i++) {
          RawPeer peer = new RawPeer(server.port());
          raw.add(peer);
          halves.add(
              senders.submit(() -> peer.sendBytes(java.util.Arrays.copyOfRange(whole, 0, first))));
        }
        await().atMost(WAIT).until(() -> server.connections().size() == peers);
        // the server reads until its readers hold still: all they will take of the halves
        long[] last = {-1};
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  long now =
                      server.connections().stream()
                          .mapToLong(PacketConnection::bytesReceived)
                          .sum();
                  boolean still = now == last[0];
                  last[0] = now;
                  return still;
                });
        assertThat(loops.bufferedInboundBytes())
            .as("buffered of %d peers' %d-byte halves", peers, first)
            .isLessThanOrEqualTo(BUDGET + 2L * frame + peers * 256L * 1024);

        List<java.util.concurrent.Future<?>> rests = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
          RawPeer peer = raw.get(i);
          java.util.concurrent.Future<?> half = halves.get(i);
          rests.add(
              senders.submit(
                  () -> {
                    half.get();
                    return peer.sendBytes(java.util.Arrays.copyOfRange(whole, first, whole.length));
                  }));
        }
        for (int i = 0; i < peers; i++) {
          rests.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
          io.packetstream.wire.Packet answer = raw.get(i).receive();
          assertThat(answer.tag()).isEqualTo(2);
          if (!answer.ok()) {
            // read while the budget was spent: refused, with the budget named
            assertThat(new String(answer.payload(), StandardCharsets.US_ASCII)).startsWith(REFUSED);
          }
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
      } finally {
        for (RawPeer peer : raw) {
          peer.close();
        }
      }
    } finally {
      senders.shutdownNow();
    }
  }

  /**
   * A peer that trickles a frame begun past the budget, a byte now and then, never stays quiet for
   * the read timeout; while its reader is the group's one that reads on, another peer's large frame
   * waited for ever. Its frame must now end within the read timeout of the other's wait.
   */
  @Test
  void aTricklingFrameDoesNotHoldOtherPeersLargeFramesBack() throws Exception {
    long budget = 3 * 1024 * 1024;
    byte[] trickled =
        io.packetstream.wire.PacketCodec.encode(
            io.packetstream.wire.Packet.request(0, 2, 0, 1, new byte[4 * 1024 * 1024]));
    // smaller than the budget: answered, not refused, once it has been read
    byte[] large =
        io.packetstream.wire.PacketCodec.encode(
            io.packetstream.wire.Packet.request(0, 3, 0, 1, new byte[2 * 1024 * 1024]));
    int begun = (int) budget + 512 * 1024;
    ExecutorService senders = Executors.newCachedThreadPool();
    try (EventLoopGroup loops = EventLoopGroup.create(1, budget);
        PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .eventLoops(loops)
                        .readTimeout(Duration.ofSeconds(1))
                        .handler(rq -> Response.ok(rq.flags(), new byte[] {1})))
                .bindLoopback(0);
        RawPeer trickler = new RawPeer(server.port());
        RawPeer victim = new RawPeer(server.port())) {
      // a frame begun past the budget: the trickler's reader is the one that reads on
      trickler.sendBytes(java.util.Arrays.copyOfRange(trickled, 0, begun));
      await()
          .atMost(WAIT)
          .until(() -> loops.bufferedInboundBytes() >= budget && server.connections().size() == 2);
      java.util.concurrent.Future<?> trickle =
          senders.submit(
              () -> {
                for (int i = begun; i < trickled.length; i++) {
                  trickler.sendBytes(new byte[] {trickled[i]});
                  Thread.sleep(100);
                }
                return null;
              });
      java.util.concurrent.Future<?> sent = senders.submit(() -> victim.sendBytes(large));

      io.packetstream.wire.Packet answer = victim.receive();

      assertThat(answer.tag()).isEqualTo(3);
      assertThat(answer.ok()).as(new String(answer.payload(), StandardCharsets.US_ASCII)).isTrue();
      sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(trickler.awaitEnd()).as("the trickler's connection ended").isTrue();
      trickle.cancel(true);
      await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
    } finally {
      senders.shutdownNow();
    }
  }

  /** Handlers that call their requester back finish, however much of the budget they hold. */
  @Test
  void aConnectionOverTheBudgetStillReadsTheAnswersToItsOwnRequests() throws Exception {
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET)) {
      PacketConnection.Builder serving =
          PacketConnection.builder()
              .eventLoops(loops)
              .maxConcurrentRequests(REQUESTS)
              .handler(
                  rq ->
                      Reply.later(
                          rq.connection()
                              .submit(0, 2, 0, new byte[8], Duration.ZERO)
                              .thenApply(callback -> Response.ok(callback.payload()))));
      PacketConnection.Builder client =
          PacketConnection.builder().handler(rq -> Response.ok(new byte[] {42}));
      try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
          PacketConnection heavy = PacketClient.connect("127.0.0.1", server.port(), client)) {
        List<CompletableFuture<Response>> big = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          big.add(heavy.submit(0, 1, i, new byte[BIG], Duration.ZERO));
        }
        for (CompletableFuture<Response> f : big) {
          Response r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
          if (r.ok()) {
            assertThat(r.payload()).containsExactly(42);
          } else {
            assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).startsWith(REFUSED);
          }
        }
        await().atMost(WAIT).until(() -> loops.bufferedInboundBytes() == 0);
      }
    }
  }
}
