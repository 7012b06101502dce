package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A log that fails while a handler's failure is logged (a broken appender, a class missing from a
 * replaced jar) costs the peer neither its answer nor the connection its handler slot: the request
 * was left unanswered, for good without a timeout.
 */
@Timeout(60)
class FailingLogTest {

  /** Fails on every record naming this test's server. */
  private static final class Broken extends Handler {
    @Override
    public void publish(LogRecord record) {
      if (String.valueOf(record.getMessage()).contains("handler for request type")) {
        throw new NoClassDefFoundError("ch/qos/logback/classic/spi/ThrowableProxy");
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Test
  void aHandlerFailureIsAnsweredThoughItsLogFails() throws Exception {
    Logger logger = Logger.getLogger(PacketConnection.class.getName());
    Broken broken = new Broken();
    broken.setLevel(Level.ALL);
    logger.addHandler(broken);
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .maxConcurrentRequests(1)
                        .handler(
                            rq -> {
                              throw new IllegalStateException("handler bug");
                            }))
                .bindLoopback(0);
        PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      for (int i = 0; i < 3; i++) {
        Response r = client.call(0, 1, 0, new byte[0], Duration.ofSeconds(10));
        assertThat(r).isEqualTo(Response.failure("exception during handler"));
      }
    } finally {
      logger.removeHandler(broken);
    }
  }

  /**
   * A handler whose call back to its peer is refused because the peer ended its requests (ERQ) is
   * logged at DEBUG, as a failure of its connection's end; that log failing cost the peer its
   * answer too, and the slot, until the close timeout cut the request off.
   */
  @Test
  void aCallbackRefusedAfterThePeersErqIsAnsweredThoughItsDebugLogFails() throws Exception {
    Logger logger = Logger.getLogger(PacketConnection.class.getName());
    Level before = logger.getLevel();
    Broken broken = new Broken();
    broken.setLevel(Level.ALL);
    logger.setLevel(Level.ALL); // DEBUG on, as when someone investigates
    logger.addHandler(broken);
    java.util.concurrent.CountDownLatch mayCallBack = new java.util.concurrent.CountDownLatch(1);
    try (PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          mayCallBack.await(10, java.util.concurrent.TimeUnit.SECONDS);
                          return rq.connection().submit(2, 0, new byte[0]).join();
                        }))
            .bindLoopback(0)) {
      PacketConnection client =
          PacketClient.connect(
              "127.0.0.1",
              server.port(),
              PacketConnection.builder()
                  .closeTimeout(Duration.ofSeconds(30))
                  .handler(rq -> Response.ok("pong")));
      java.util.concurrent.CompletableFuture<Response> call = client.submit(1, 0, new byte[0]);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  !server.connections().isEmpty()
                      && server.connections().get(0).runningRequests() == 1);
      java.util.concurrent.CompletableFuture<Void> closing =
          java.util.concurrent.CompletableFuture.runAsync(client::close); // sends ERQ
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.connections().get(0).peerEndedRequests());
      mayCallBack.countDown();

      assertThat(call.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(Response.failure("exception during handler"));
      closing.get(20, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      mayCallBack.countDown();
      logger.removeHandler(broken);
      logger.setLevel(before);
    }
  }
}
