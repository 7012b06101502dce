package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that runs on the event loop and interrupts its thread (as code that restores an
 * interrupt after catching {@code InterruptedException} does) must not leave the loop's thread
 * interrupted: every select would then return at once and the loop would spin for the life of the
 * JVM, and every later handler on that loop would start interrupted.
 */
@Timeout(60)
class LoopInterruptTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void theLoopClearsAnInterruptItsHandlerLeft() throws Exception {
    List<Boolean> startedInterrupted = new ArrayList<>();
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .executor(Runnable::run)
            .handler(
                rq -> {
                  synchronized (startedInterrupted) {
                    startedInterrupted.add(Thread.currentThread().isInterrupted());
                  }
                  Thread.currentThread().interrupt();
                  return Response.ok(rq.payload());
                });
    try (EventLoopGroup oneLoop = EventLoopGroup.create(1);
        PacketServer server = PacketServer.builder(serving.eventLoops(oneLoop)).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      for (int i = 0; i < 3; i++) {
        // one at a time, so that each request is read in a pass of the loop of its own
        assertThat(client.call(0, 1, 0, new byte[] {(byte) i}, WAIT))
            .isEqualTo(Response.ok(new byte[] {(byte) i}));
      }
      assertThat(startedInterrupted).containsExactly(false, false, false);
    }
  }
}
