package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PacketConnection#platformHandlerExecutor()}: the shared Java 17 handler pool, given to
 * builders that want platform threads on any Java version, and not theirs to shut down.
 */
@Timeout(60)
class PlatformHandlerExecutorTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void runsHandlersOnTheSharedPlatformThreads() throws Exception {
    CompletableFuture<Thread> ran = new CompletableFuture<>();
    PacketConnection.platformHandlerExecutor().execute(() -> ran.complete(Thread.currentThread()));
    Thread t = ran.get(10, TimeUnit.SECONDS);
    assertThat(t.getName()).startsWith("packetstream-handler-");
    assertThat(t.isDaemon()).isTrue();
    assertThat(t.toString()).as("a platform thread").doesNotStartWith("VirtualThread");

    PacketConnection.Builder server =
        PacketConnection.builder()
            .executor(PacketConnection.platformHandlerExecutor())
            .handler(rq -> Response.ok(Thread.currentThread().getName()));
    try (ConnectedPair pair = new ConnectedPair(PacketConnection.builder(), server)) {
      assertThat(pair.left.call(0, 1, 0, new byte[0], WAIT).text())
          .startsWith("packetstream-handler-");
    }
  }

  @Test
  void cannotBeShutDownByTheCodeThatAskedForIt() {
    assertThat(PacketConnection.platformHandlerExecutor()).isNotInstanceOf(ExecutorService.class);
  }
}
