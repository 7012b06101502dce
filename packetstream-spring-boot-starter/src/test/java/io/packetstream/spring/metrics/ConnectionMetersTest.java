package io.packetstream.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.observation.RequestOutcome;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import org.junit.jupiter.api.Test;

/** The meters of one connection, over a real connection and a real registry. */
class ConnectionMetersTest {

  /**
   * A request that ends as its connection closes may be recorded just after the connection's meters
   * went: it must not register a timer that nothing would ever remove.
   */
  @Test
  void aRequestRecordedAfterRemovalRegistersNoTimer() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PacketServer server = PacketServer.builder(PacketConnection.builder()).bindLoopback(0);
        PacketConnection c =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      ConnectionMeters meters =
          new ConnectionMeters(
              registry,
              Tags.of("connection", "late", "role", "client", "name", "x"),
              ConnectionMeters.RequestTypes.NONE);
      meters.join(c);
      meters.record(Direction.OUTBOUND, 0, 1, RequestOutcome.SUCCESS, 1_000);
      meters.record(Direction.INBOUND, 0, 1, RequestOutcome.SUCCESS, 1_000);
      assertThat(
              registry
                  .find(PacketStreamMetrics.REQUESTS_OUTBOUND)
                  .tags("connection", "late")
                  .timer())
          .isNotNull();

      meters.remove();
      assertThat(
              registry
                  .find(PacketStreamMetrics.REQUESTS_OUTBOUND)
                  .tags("connection", "late")
                  .meters())
          .isEmpty();
      meters.record(Direction.OUTBOUND, 0, 2, RequestOutcome.NOT_OK, 1_000);
      meters.record(Direction.INBOUND, 0, 77, RequestOutcome.CLOSED, 1_000);
      meters.record(Direction.OUTBOUND, 0, 1_000_000, RequestOutcome.SUCCESS, 1_000);
      assertThat(
              registry
                  .find(PacketStreamMetrics.REQUESTS_OUTBOUND)
                  .tags("connection", "late")
                  .meters())
          .isEmpty();
      assertThat(
              registry
                  .find(PacketStreamMetrics.REQUESTS_INBOUND)
                  .tags("connection", "late")
                  .meters())
          .isEmpty();
    }
  }
}
