package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 1: two peers that both request and both answer large payloads must not deadlock
 * once each has more than {@code maxQueuedAnswerBytes} of answers queued; a throttled reader still
 * reads the answers to its own requests.
 */
@Timeout(60)
class MutualBackPressureTest {

  private static final int ANSWER = 256 * 1024;
  private static final long LIMIT = 64 * 1024;
  private static final int REQUESTS = 200;
  private static final byte[] BIG = new byte[ANSWER];

  private static PacketConnection.Builder bigAnswers(String name) {
    return PacketConnection.builder()
        .name(name)
        .maxQueuedAnswerBytes(LIMIT)
        .handler(rq -> Response.ok(BIG));
  }

  @Test
  void theLimitThatStopsReadingAFloodingPeerSaturatesForAnUnboundedAnswerQueue() {
    // a quarter over maxQueuedAnswerBytes, at least 64 KiB over it
    assertThat(PacketConnection.answerHardLimit(LIMIT)).isEqualTo(LIMIT + 64 * 1024);
    assertThat(PacketConnection.answerHardLimit(1L << 30)).isEqualTo((1L << 30) + (1L << 28));
    // Long.MAX_VALUE says "no limit": the sum wrapped to a negative limit, which every queue was
    // over, so that reading paused once per request after one refused for the queue's limits
    assertThat(PacketConnection.answerHardLimit(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(PacketConnection.answerHardLimit(Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE);
    long nearTheTop = Long.MAX_VALUE / 5 * 4 + 7;
    assertThat(PacketConnection.answerHardLimit(nearTheTop)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void bothEndsRequestingLargeAnswersAtOnceAllComplete() throws Exception {
    PacketServer server =
        PacketServer.builder(bigAnswers("mutual-server")).name("mutual-server").bindLoopback(0);
    PacketConnection client = null;
    try {
      client = PacketClient.connect("127.0.0.1", server.port(), bigAnswers("mutual-client"));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      PacketConnection serverSide = server.connections().get(0);

      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        all.add(client.submit(1, 0, new byte[] {(byte) i}));
        all.add(serverSide.submit(1, 0, new byte[] {(byte) i}));
      }

      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      for (CompletableFuture<Response> f : all) {
        Response r = f.join();
        assertThat(r.ok()).isTrue();
        assertThat(r.payload()).hasSize(ANSWER);
      }
    } finally {
      if (client != null) {
        client.abort();
      }
      server.abort();
    }
  }
}
