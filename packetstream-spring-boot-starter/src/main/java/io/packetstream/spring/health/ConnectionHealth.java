package io.packetstream.spring.health;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.connection.PacketStreamClient;
import org.springframework.boot.health.contributor.Health;

/** The health of one connection or client, with the figures an operator looks at first. */
final class ConnectionHealth {

  private ConnectionHealth() {}

  static Health of(PacketConnection c) {
    Health.Builder b;
    switch (c.state()) {
      case OPEN:
        b = Health.up();
        break;
      case DRAINING:
        b = Health.outOfService();
        break;
      case NEW:
        b = Health.unknown();
        break;
      default:
        b = Health.down();
        c.failure().ifPresent(b::withException);
    }
    return details(b, c).build();
  }

  static Health of(PacketStreamClient client) {
    PacketConnection c = client.connection().orElse(null);
    if (client.status() == PacketStreamClient.Status.CONNECTED && c != null) {
      Health h = of(c);
      return Health.status(h.getStatus()).withDetails(h.getDetails())
          .withDetail("client", client.status().name()).build();
    }
    Health.Builder b = Health.down().withDetail("client", client.status().name());
    client.lastFailure().ifPresent(e -> b.withDetail("lastFailure", e.toString()));
    client.lastFailureAt().ifPresent(t -> b.withDetail("lastFailureAt", t.toString()));
    return b.build();
  }

  private static Health.Builder details(Health.Builder b, PacketConnection c) {
    b.withDetail("connection", c.name())
        .withDetail("state", c.state().name())
        .withDetail("remoteAddress", c.remoteAddress().map(Object::toString).orElse(""))
        .withDetail("openedAt", c.openedAt().map(Object::toString).orElse(""))
        .withDetail("lastReceivedAt", c.lastReceivedAt().map(Object::toString).orElse(""))
        .withDetail("bytesReceived", c.bytesReceived())
        .withDetail("bytesSent", c.bytesSent())
        .withDetail("pendingRequests", c.pendingRequests())
        .withDetail("runningRequests", c.runningRequests());
    return b;
  }
}
