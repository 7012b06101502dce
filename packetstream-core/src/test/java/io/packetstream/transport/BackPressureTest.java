package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that floods requests and does not read the answers is held back: while too many answers
 * wait to be written, its new requests wait in the queue (beyond it they are refused), and once the
 * answers pass the limit by a margin the server stops reading it, so TCP holds it back instead of
 * the server queueing everything. Other peers are served meanwhile.
 */
@Timeout(60)
class BackPressureTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int LIMIT = 256 * 1024;
  private static final int PAYLOAD = 16 * 1024;
  private static final int REQUESTS = 2048; // 32 MiB: more than every socket buffer on the way
  private static final int QUEUE = 16;
  private static final int RUNNING = 4;

  /** The answers a connection may queue before it stops reading: the limit and its margin. */
  private static final long HARD_LIMIT = LIMIT + 64 * 1024;

  /** Answers on the reader thread, which must not wait for answers only it can write. */
  @Test
  void holdsBackAFloodAnsweredOnTheReaderThread() throws Exception {
    floodWithoutReading(
        PacketConnection.builder().executor(Runnable::run).handler(rq -> Response.ok(rq.payload())),
        0);
  }

  /**
   * Answers from the read buffer while the answers are under the limit; the requests held past it
   * take the regular path once they start, on handler threads.
   */
  @Test
  void holdsBackAFloodAnsweredByABufferHandler() throws Exception {
    floodWithoutReading(
        PacketConnection.builder()
            .bufferHandler(
                (type, flags, payload, answer) -> {
                  answer.put(payload);
                  return 0;
                }),
        RUNNING);
  }

  /** Answers on handler threads: the requests already running still answer past the limit. */
  @Test
  void holdsBackAFloodAnsweredOnHandlerThreads() throws Exception {
    floodWithoutReading(
        PacketConnection.builder().handler(rq -> Response.ok(rq.payload())), RUNNING);
  }

  @Test
  void closeStillEndsAConnectionHeldBackByAPeerThatNeverReads() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .maxQueuedAnswerBytes(LIMIT)
            .maxQueuedRequests(QUEUE)
            .closeTimeout(Duration.ofMillis(200))
            .executor(Runnable::run)
            .handler(rq -> Response.ok(rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0)) {
      CompletableFuture<Void> flooding;
      try (RawPeer flooder = new RawPeer(server.port(), 64 * 1024)) {
        // more than every buffer on the way and what the server queues and refuses before it
        // stops reading: the flooder is still writing when the connection ends
        flooding = flood(flooder, 4 * REQUESTS);
        PacketConnection flooded = flooded(server, flooder);
        await().atMost(WAIT).until(() -> flooded.queuedAnswerBytes() >= LIMIT);
        flooded.close();
        assertThat(flooded.state().isTerminal()).isTrue();
        assertThat(flooded.queuedAnswerBytes()).isZero();
      }
      assertThat(flooding).failsWithin(WAIT);
    }
  }

  private static CompletableFuture<Void> flood(RawPeer flooder) {
    return flood(flooder, REQUESTS);
  }

  private static CompletableFuture<Void> flood(RawPeer flooder, int requests) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            for (int batch = 0; batch < requests / 64; batch++) {
              ByteArrayOutputStream bytes = new ByteArrayOutputStream();
              for (int i = 0; i < 64; i++) {
                bytes.write(
                    PacketCodec.encode(
                        Packet.request(0, 2 + batch * 64 + i, 0, 0, new byte[PAYLOAD])));
              }
              flooder.sendBytes(bytes.toByteArray());
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        r -> new Thread(r).start());
  }

  private static PacketConnection flooded(PacketServer server, RawPeer flooder) {
    await()
        .atMost(WAIT)
        .until(() -> server.connections().stream().anyMatch(c -> isFlooder(c, flooder)));
    return server.connections().stream().filter(c -> isFlooder(c, flooder)).findFirst().get();
  }

  private static void floodWithoutReading(PacketConnection.Builder serving, int admitted)
      throws Exception {
    serving.maxQueuedAnswerBytes(LIMIT).maxQueuedRequests(QUEUE).maxConcurrentRequests(RUNNING);
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection good =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
        RawPeer flooder = new RawPeer(server.port(), 64 * 1024)) {
      CompletableFuture<Void> flooding = flood(flooder);
      PacketConnection flooded = flooded(server, flooder);

      await().atMost(WAIT).until(() -> flooded.queuedAnswerBytes() >= LIMIT);
      // past the limit: at most the margin, the answer that crossed it and those running
      long bound = HARD_LIMIT + (admitted + 1) * (PAYLOAD + 64L);
      for (int i = 0; i < 20; i++) {
        assertThat(flooded.queuedAnswerBytes()).isLessThanOrEqualTo(bound);
        assertThat(flooded.queuedRequests()).isLessThanOrEqualTo(QUEUE);
      }
      await()
          .atMost(WAIT)
          .until(
              () -> {
                long before = flooded.packetsReceived();
                Thread.sleep(100);
                return flooded.packetsReceived() == before;
              });
      if (admitted == RUNNING && flooded.packetsReceived() == REQUESTS) {
        // the reader outran slow handler threads (a loaded machine): the whole flood was read
        // before their answers reached the limit, and every request beyond the queue refused,
        // which the bounds above and the refusals below check; nothing to hold back then
        assertThat(flooded.queuedRequests()).isLessThanOrEqualTo(QUEUE);
      } else {
        assertThat(flooded.packetsReceived()).as("the server stopped reading").isLessThan(REQUESTS);
      }
      assertThat(good.call(0, 0, 0, new byte[] {1, 2, 3}, WAIT))
          .isEqualTo(Response.ok(new byte[] {1, 2, 3}));

      Set<Long> answered = new HashSet<>();
      int refused = 0;
      for (int i = 0; i < REQUESTS; i++) {
        Packet answer = flooder.receive();
        if (answer.ok()) {
          assertThat(answer.payload()).hasSize(PAYLOAD);
        } else {
          assertThat(new String(answer.payload(), StandardCharsets.US_ASCII))
              .startsWith("too many requests");
          refused++;
        }
        assertThat(answered.add(answer.tag())).as("one answer per tag").isTrue();
        assertThat(flooded.queuedAnswerBytes()).isLessThanOrEqualTo(bound);
      }
      assertThat(answered).hasSize(REQUESTS);
      assertThat(refused).as("the flood beyond the queue was refused").isPositive();
      flooding.get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> flooded.queuedAnswerBytes() == 0);
    }
  }

  private static boolean isFlooder(PacketConnection c, RawPeer flooder) {
    return c.remoteAddress()
        .map(a -> ((InetSocketAddress) a).getPort() == flooder.localPort())
        .orElse(false);
  }
}
