package io.packetstream.spring.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.TestApplication;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The meters an application gets without asking for per-connection ones, from its own registry
 * after real traffic: tagged by role and server name only, with names that do not repeat their
 * unit, counting connections that came and went between two reads, and telling a peer's bad request
 * from a handler's failure.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.server.name=orders"
    })
@ExtendWith(OutputCaptureExtension.class)
class DefaultMetersTest {

  @Autowired MeterRegistry registry;
  @Autowired PacketStreamServer server;

  private double packetsReceived() {
    FunctionCounter c =
        registry
            .find(PacketStreamMetrics.PACKETS_RECEIVED)
            .tags("role", "server", "name", "orders")
            .functionCounter();
    return c == null ? 0 : c.count();
  }

  private long timer(String outcome, String type) {
    Timer t =
        registry
            .find("packetstream.server.requests")
            .tags("role", "server", "name", "orders", "rq.type", type, "outcome", outcome)
            .timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void aShortConnectionIsCountedAndNoMeterNamesAPortOrASerial() throws Exception {
    double before = packetsReceived();
    double openedBefore =
        registry
                    .find(PacketStreamMetrics.CONNECTIONS_OPENED)
                    .tags("role", "server", "name", "orders")
                    .counter()
                == null
            ? 0
            : registry
                .find(PacketStreamMetrics.CONNECTIONS_OPENED)
                .tags("role", "server", "name", "orders")
                .counter()
                .count();
    for (int i = 0; i < 3; i++) {
      try (PacketConnection c =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
        assertThat(c.call(2, 0, "short".getBytes(UTF_8)).ok()).isTrue();
      }
    }
    // each connection's request reached the server; its packets stay counted after it ended
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.connections().isEmpty() && packetsReceived() >= before + 3);
    assertThat(
            registry
                .find(PacketStreamMetrics.CONNECTIONS_OPENED)
                .tags("role", "server", "name", "orders")
                .counter()
                .count())
        .isEqualTo(openedBefore + 3);
    assertThat(
            registry
                .find(PacketStreamMetrics.BYTES_RECEIVED)
                .tags("role", "server", "name", "orders")
                .functionCounter()
                .getId()
                .getBaseUnit())
        .isEqualTo("bytes");
    for (Meter m : registry.getMeters()) {
      if (m.getId().getName().startsWith("packetstream.")) {
        assertThat(m.getId().getName()).as("name").doesNotContain("bytes");
        assertThat(m.getId().getTag("remote")).as(m.getId().toString()).isNull();
        assertThat(m.getId().getTag("connection")).as(m.getId().toString()).isNull();
        assertThat(m.getId().getTag("name")).as(m.getId().toString()).isNotNull();
      }
    }
  }

  /** Request timers come from the observations: the traffic listener keeps none of its own. */
  @Test
  void aBadPayloadIsAClientErrorAndAThrowingHandlerAServerError() throws Exception {
    long clientErrors = timer("CLIENT_ERROR", "9");
    long serverErrors = timer("SERVER_ERROR", "12");
    try (PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(c.call(9, 0, "{not json".getBytes(UTF_8)).ok()).isFalse();
      assertThat(c.call(12, 0, "x".getBytes(UTF_8)).ok()).isFalse();
      assertThat(c.call(9, 0, "{\"name\":\"a\",\"times\":1}".getBytes(UTF_8)).ok()).isTrue();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                timer("CLIENT_ERROR", "9") == clientErrors + 1
                    && timer("SERVER_ERROR", "12") == serverErrors + 1
                    && timer("SUCCESS", "9") >= 1);
    assertThat(timer("SERVER_ERROR", "9")).isZero();
    assertThat(registry.find(PacketStreamMetrics.REQUESTS_INBOUND).meters()).isEmpty();
    Timer success =
        registry
            .find("packetstream.server.requests")
            .tags("rq.type", "9", "outcome", "SUCCESS")
            .timer();
    assertThat(success.getId().getTags())
        .extracting(io.micrometer.core.instrument.Tag::getKey)
        .containsExactlyInAnyOrder("role", "name", "channel", "rq.type", "outcome", "error");
  }

  /** A peer's flags too big for a handler's int parameter are the peer's mistake, not a failure. */
  @Test
  void flagsThatDoNotFitAnIntParameterAreAClientError(CapturedOutput output) throws Exception {
    long clientErrors = timer("CLIENT_ERROR", "5");
    try (PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      var refused = c.call(5, 8589934592L, new byte[0]);
      assertThat(refused.ok()).isFalse();
      assertThat(refused.text())
          .isEqualTo(
              "flags 8589934592 do not fit the int parameter of TestHandlers.doubleIntFlags:"
                  + " declare it long");
      // the connection goes on serving, and flags that fit still work
      assertThat(c.call(5, 21, new byte[0]).flags()).isEqualTo(42);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> timer("CLIENT_ERROR", "5") == clientErrors + 1);
    assertThat(timer("SERVER_ERROR", "5")).isZero();
    assertThat(output.getOut())
        .doesNotContain("exception during handler")
        .doesNotContain("ArithmeticException");
  }
}
