package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 12: a handler that fails on every request logs a warning once per cause with the
 * connection named, not a warning with a stack trace per request.
 */
@Timeout(60)
class HandlerFailureLogTest {

  private static final int REQUESTS = 200;

  /** Held here: java.util.logging keeps loggers only weakly. */
  private static final Logger LIBRARY = Logger.getLogger("io.packetstream");

  /** What the library logged at INFO or above during the test. */
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private final Handler collector =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.INFO.intValue()) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private boolean useParentHandlers;

  @BeforeEach
  void collect() {
    collector.setLevel(Level.ALL);
    LIBRARY.addHandler(collector);
    // today's 200 stack traces would bury the build's output
    useParentHandlers = LIBRARY.getUseParentHandlers();
    LIBRARY.setUseParentHandlers(false);
  }

  @AfterEach
  void stopCollecting() {
    LIBRARY.removeHandler(collector);
    LIBRARY.setUseParentHandlers(useParentHandlers);
  }

  @Test
  void aHandlerFailingEveryRequestLogsOncePerCauseWithTheConnectionNamed() throws Exception {
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          throw new IllegalStateException("boom");
                        }))
            .name("log-flood")
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder().name("log-flood-client"));
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      String serverSide = server.connections().get(0).name();
      records.clear();

      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        all.add(client.submit(1, 0, new byte[] {(byte) i}));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      for (CompletableFuture<Response> f : all) {
        assertThat(f.join().ok()).isFalse();
        assertThat(f.join().text()).isEqualTo(Response.HANDLER_EXCEPTION);
      }

      List<LogRecord> warnings =
          records.stream()
              .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
              .toList();
      assertThat(warnings)
          .as("warnings logged for %d failing requests", REQUESTS)
          .hasSizeLessThanOrEqualTo(2);
      assertThat(records).as("the failure is logged at least once, at INFO or above").isNotEmpty();
      assertThat(new SimpleFormatter().formatMessage(records.get(0))).contains(serverSide);
    } finally {
      client.abort();
      server.abort();
    }
  }

  @Test
  void aBufferHandlersErrorIsANotOkAnswerLoggedAtWarningAndTheConnectionCarriesOn()
      throws Exception {
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .bufferHandler(
                        (rqType, flags, payload, answer) -> {
                          if (rqType == 1) {
                            throw new AssertionError("bug in handler");
                          }
                          if (rqType == 3) {
                            // a VirtualMachineError too, as for a RequestHandler (InboundRequest)
                            throw new OutOfMemoryError("test");
                          }
                          answer.put(payload);
                          return 0;
                        }))
            .name("buffer-error")
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder().name("buffer-error-client"));
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      String serverSide = server.connections().get(0).name();
      records.clear();

      assertThat(client.call(1, 0, new byte[0])).isEqualTo(Response.failure());
      // the Error ended that request only: the same connection answers the next one
      assertThat(client.call(2, 0, new byte[] {7})).isEqualTo(Response.ok(new byte[] {7}));
      assertThat(client.call(3, 0, new byte[0])).isEqualTo(Response.failure());
      assertThat(client.call(2, 0, new byte[] {8})).isEqualTo(Response.ok(new byte[] {8}));

      List<LogRecord> warnings =
          records.stream()
              .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
              .toList();
      assertThat(warnings).hasSize(2);
      assertThat(new SimpleFormatter().formatMessage(warnings.get(0))).contains(serverSide);
      assertThat(warnings.get(0).getThrown()).isInstanceOf(AssertionError.class);
      assertThat(warnings.get(1).getThrown()).isInstanceOf(OutOfMemoryError.class);
    } finally {
      client.abort();
      server.abort();
    }
  }
}
