package io.packetstream.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.PacketCodec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The properties' defaults agree with the core's, and their units with what a reader expects. */
class PacketStreamPropertiesTest {

  @Test
  void propertiesUseConsistentDefaultValues() {
    PacketStreamProperties p = new PacketStreamProperties();
    assertThat(p.getMaxFrameSize().toBytes()).isEqualTo(PacketCodec.DEFAULT_MAX_FRAME_LENGTH);
    assertThat(p.getMaxConcurrentRequests())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_CONCURRENT_REQUESTS);
    assertThat(p.getMaxQueuedRequests()).isEqualTo(PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUESTS);
    assertThat(p.getMaxPendingRequests()).isEqualTo(PacketConnection.Builder.DEFAULT_MAX_PENDING_REQUESTS);
    assertThat(p.getMaxQueuedRequestBytes().toBytes())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUEST_BYTES);
    assertThat(p.getMaxQueuedAnswerBytes().toBytes())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_QUEUED_ANSWER_BYTES);
    assertThat(p.getCloseTimeout()).isEqualTo(PacketConnection.Builder.DEFAULT_CLOSE_TIMEOUT);
    assertThat(p.getServer().getMaxConnections()).isEqualTo(PacketServer.Builder.DEFAULT_MAX_CONNECTIONS);
    assertThat(new PacketStreamProperties.Client().getConnectTimeout())
        .isEqualTo(PacketClient.DEFAULT_CONNECT_TIMEOUT);
    assertThat(p.getServer().getProbeTimeout())
        .isEqualTo(PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT);
    assertThat(new PacketStreamProperties.Client().getProbeTimeout())
        .isEqualTo(PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT);
  }

  @Test
  void probesAreOffOnTheServerAndOnForClients() {
    PacketStreamProperties.Client client = new PacketStreamProperties.Client();
    assertThat(new PacketStreamProperties().getServer().getProbeInterval()).isZero();
    assertThat(client.getProbeInterval()).isPositive();
    assertThat(client.getProbeInterval()).isGreaterThan(client.getProbeTimeout());
  }

  @Test
  void theServerDrainsWithinSpringsShutdownPhase() {
    assertThat(new PacketStreamProperties().getServer().getShutdownTimeout())
        .isLessThan(new LifecycleProperties().getTimeoutPerShutdownPhase());
  }

  @Test
  void aBareNumberOfATimeoutIsSeconds() {
    Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
        "packetstream.server.shutdown-timeout", "5",
        "packetstream.close-timeout", "3",
        "packetstream.request-timeout", "2",
        "packetstream.clients.a.connect-timeout", "4",
        "packetstream.server.probe-interval", "6",
        "packetstream.clients.a.probe-interval", "7",
        "packetstream.clients.a.probe-timeout", "8")));
    PacketStreamProperties p = binder.bind("packetstream", Bindable.of(PacketStreamProperties.class))
        .get();
    assertThat(p.getServer().getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.getCloseTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(p.getRequestTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.getClients().get("a").getConnectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.getServer().getProbeInterval()).isEqualTo(Duration.ofSeconds(6));
    assertThat(p.getClients().get("a").getProbeInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(p.getClients().get("a").getProbeTimeout()).isEqualTo(Duration.ofSeconds(8));
  }
}
