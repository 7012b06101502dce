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
    assertThat(p.getMaxQueuedRequests())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUESTS);
    assertThat(p.getMaxPendingRequests())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_PENDING_REQUESTS);
    assertThat(p.getMaxQueuedRequestSize().toBytes())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUEST_BYTES);
    assertThat(p.getMaxQueuedAnswerSize().toBytes())
        .isEqualTo(PacketConnection.Builder.DEFAULT_MAX_QUEUED_ANSWER_BYTES);
    assertThat(p.getCloseTimeout()).isEqualTo(PacketConnection.Builder.DEFAULT_CLOSE_TIMEOUT);
    assertThat(p.getServer().getMaxConnections())
        .isEqualTo(PacketServer.Builder.DEFAULT_MAX_CONNECTIONS);
    assertThat(p.getMaxOutboundFrameSize().toBytes())
        .isEqualTo(PacketCodec.DEFAULT_MAX_FRAME_LENGTH);
    assertThat(p.getServer().getReadTimeout())
        .isEqualTo(PacketConnection.Builder.DEFAULT_READ_TIMEOUT);
    assertThat(p.getServer().getIdleTimeout()).isZero();
    assertThat(p.getServer().getSsl().getHandshakeTimeout())
        .isEqualTo(PacketServer.Builder.DEFAULT_HANDSHAKE_TIMEOUT);
    assertThat(p.getIoThreads()).isNull();
    PacketStreamProperties.Client client = new PacketStreamProperties.Client();
    assertThat(client.getConnectTimeout()).isEqualTo(PacketClient.DEFAULT_CONNECT_TIMEOUT);
    assertThat(client.getReadTimeout()).isEqualTo(PacketConnection.Builder.DEFAULT_READ_TIMEOUT);
    assertThat(client.getIdleTimeout()).isZero();
    assertThat(client.getSsl().getHandshakeTimeout())
        .isEqualTo(PacketClient.DEFAULT_HANDSHAKE_TIMEOUT);
    assertThat(p.getServer().getProbeTimeout())
        .isEqualTo(PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT);
    assertThat(client.getProbeTimeout()).isEqualTo(PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT);
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
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.ofEntries(
                    Map.entry("packetstream.server.shutdown-timeout", "5"),
                    Map.entry("packetstream.close-timeout", "3"),
                    Map.entry("packetstream.request-timeout", "2"),
                    Map.entry("packetstream.clients.a.connect-timeout", "4"),
                    Map.entry("packetstream.server.idle-timeout", "6"),
                    Map.entry("packetstream.clients.a.read-timeout", "7"),
                    Map.entry("packetstream.clients.a.ssl.handshake-timeout", "8"),
                    Map.entry("packetstream.clients.a.reconnect.max-delay", "9"),
                    Map.entry("packetstream.server.probe-interval", "10"),
                    Map.entry("packetstream.clients.a.probe-interval", "11"),
                    Map.entry("packetstream.clients.a.probe-timeout", "12"))));
    PacketStreamProperties p =
        binder.bind("packetstream", Bindable.of(PacketStreamProperties.class)).get();
    assertThat(p.getServer().getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.getCloseTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(p.getRequestTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.getClients().get("a").getConnectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.getServer().getProbeInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.getClients().get("a").getProbeInterval()).isEqualTo(Duration.ofSeconds(11));
    assertThat(p.getClients().get("a").getProbeTimeout()).isEqualTo(Duration.ofSeconds(12));
    assertThat(p.getServer().getIdleTimeout()).isEqualTo(Duration.ofSeconds(6));
    assertThat(p.getClients().get("a").getReadTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(p.getClients().get("a").getSsl().getHandshakeTimeout())
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(p.getClients().get("a").getReconnect().getMaxDelay())
        .isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void aBareNumberOfAShortWaitIsMilliseconds() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    "packetstream.packet-grace", "5",
                    "packetstream.read-spin", "1",
                    "packetstream.clients.a.reconnect.initial-delay", "300")));
    PacketStreamProperties p =
        binder.bind("packetstream", Bindable.of(PacketStreamProperties.class)).get();
    assertThat(p.getPacketGrace()).isEqualTo(Duration.ofMillis(5));
    assertThat(p.getReadSpin()).isEqualTo(Duration.ofMillis(1));
    assertThat(p.getClients().get("a").getReconnect().getInitialDelay())
        .isEqualTo(Duration.ofMillis(300));
  }
}
