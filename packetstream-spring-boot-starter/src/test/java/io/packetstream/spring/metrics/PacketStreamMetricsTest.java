package io.packetstream.spring.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.connection.ConnectionRole;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cap on server connections with meters of their own, with a real registry and real sockets. */
class PacketStreamMetricsTest {

  private static long count(SimpleMeterRegistry registry, String connection) {
    io.micrometer.core.instrument.Timer t = registry.find("packetstream.requests.inbound")
        .tags("connection", connection, "outcome", "ok").timer();
    return t == null ? -1 : t.count();
  }

  @Test
  void connectionsBeyondTheCapShareAggregateMeters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PacketStreamMetrics metrics = new PacketStreamMetrics(registry, 1);
    PacketConnection.Builder builder = PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));
    metrics.customize(builder, ConnectionRole.SERVER, "capped");
    try (PacketServer server = PacketServer.builder(builder).name("capped")
        .bind(new InetSocketAddress("127.0.0.1", 0))) {
      PacketConnection first = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      PacketConnection second = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 2);

      first.call(1, 0, "a".getBytes(UTF_8));
      second.call(1, 0, "bb".getBytes(UTF_8));
      second.call(1, 0, "bb".getBytes(UTF_8));

      // the listener hears of a request's end just after its answer is sent: wait for it
      await().atMost(Duration.ofSeconds(10)).until(() -> count(registry, "capped#1") == 1
          && count(registry, "aggregate") == 2);
      assertThat(registry.find("packetstream.requests.inbound").tags("connection", "capped#2").meters()).isEmpty();
      assertThat(registry.find("packetstream.packets.received").tags("connection", "aggregate")
          .counter().count()).isEqualTo(2);
      assertThat(registry.find("packetstream.connections.open").tags("role", "server").gauge().value())
          .isEqualTo(2);

      first.close();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          registry.find("packetstream.bytes.sent").tags("connection", "capped#1").meters().isEmpty()
              && registry.find("packetstream.connections.open").tags("role", "server").gauge().value() == 1);
      second.close();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          registry.find("packetstream.connections.open").tags("role", "server").gauge().value() == 0);
      // a new connection gets meters of its own again now that there is room
      PacketConnection third = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      third.call(1, 0, "c".getBytes(UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> count(registry, "capped#3") == 1);
      third.close();
    }
  }
}
