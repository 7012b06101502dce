package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that forwards to its peer and fails only because its connection ended is not a
 * handler's fault: it is logged at DEBUG, not as a warning with a stack trace per handler on every
 * peer that goes away; a handler's own failure still warns.
 */
@Timeout(60)
class ForwardingHandlerEndTest {

  @Test
  void aForwardingHandlerThatFailsAsItsConnectionEndsIsNoWarning() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    CompletableFuture<Response> never = new CompletableFuture<>();
    try (LogCapture log = new LogCapture(PacketConnection.class, "forwarding");
        PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .handler(
                            rq ->
                                rq.rqType() == 1
                                    ? Reply.later(
                                        rq.connection()
                                            .submit(2, 0, new byte[0])
                                            .thenApply(r -> Response.ok(r.payload())))
                                    : Response.ok("own")))
                .name("forwarding")
                .bindLoopback(0)) {
      PacketConnection client =
          PacketClient.connect(
              "127.0.0.1",
              server.port(),
              PacketConnection.builder()
                  .handler(
                      rq -> {
                        asked.countDown();
                        return Reply.later(never);
                      }));
      CompletableFuture<Response> call = client.submit(1, 0, new byte[0]);
      assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

      client.abort();

      assertThat(call).failsWithin(Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().isEmpty());
      assertThat(log.atLeast(Level.WARNING))
          .extracting(LogRecord::getMessage)
          .noneMatch(m -> m.contains("handler for request type 1"));
    }
  }
}
