package io.packetstream.spring.health;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.PacketStreamServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of the server and of each client, with the figures an operator looks at first. A
 * connection that drains (its peer said goodbye, or this end is closing) is still UP: it answers
 * what it has taken on, and nothing is wrong with the application.
 */
final class ConnectionHealth {

  private ConnectionHealth() {}

  /** UP while listening, with how many connections are open and draining; DOWN otherwise. */
  static Health of(PacketStreamServer server) {
    List<PacketConnection> connections = server.connections();
    long draining = connections.stream().filter(c -> c.state() == ConnectionState.DRAINING).count();
    long pending = 0;
    long running = 0;
    for (PacketConnection c : connections) {
      pending += c.pendingRequests();
      running += c.runningRequests();
    }
    Health.Builder b =
        (server.isListening() ? Health.up() : Health.down())
            .withDetail("name", server.name())
            .withDetail("listening", server.isListening());
    // a TCP server's port; a Unix domain socket's path, which has no port
    server.server().ifPresent(s -> b.withDetail("address", s.localAddress().toString()));
    if (server.port() >= 0) {
      b.withDetail("port", server.port());
    }
    return b.withDetail("connections", connections.size())
        .withDetail("draining", draining)
        .withDetail("pendingRequests", pending)
        .withDetail("runningRequests", running)
        .build();
  }

  /**
   * UP while connected (draining included); DOWN while (re)connecting or closed, or UNKNOWN for an
   * {@code optional} client, which the application's health then passes over.
   */
  static Health of(PacketStreamClient client, boolean optional) {
    if (client.isBalanced()) {
      return balanced(client, optional);
    }
    PacketConnection c = client.connection().orElse(null);
    if (client.status() == PacketStreamClient.Status.CONNECTED && c != null) {
      Health.Builder b =
          c.state() == ConnectionState.OPEN || c.state() == ConnectionState.DRAINING
              ? Health.up()
              : Health.down();
      c.failure().ifPresent(b::withException);
      return details(b.withDetail("client", client.status().name()), c).build();
    }
    Health.Builder b =
        (optional ? Health.unknown() : Health.down()).withDetail("client", client.status().name());
    if (optional) {
      b.withDetail("optional", true);
    }
    client.lastFailure().ifPresent(e -> b.withDetail("lastFailure", e.toString()));
    client.lastFailureAt().ifPresent(t -> b.withDetail("lastFailureAt", t.toString()));
    return b.build();
  }

  /**
   * A balanced client: UP while at least one instance takes requests, otherwise DOWN (UNKNOWN if
   * optional); with an entry per instance under {@code instances}, keyed by its connection name.
   */
  private static Health balanced(PacketStreamClient client, boolean optional) {
    Map<String, Map<String, Object>> instances = new LinkedHashMap<>();
    int ready = 0;
    for (PacketStreamClient i : client.instances()) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("client", i.status().name());
      PacketConnection c = i.connection().orElse(null);
      if (c != null) {
        d.put("state", c.state().name());
        c.remoteAddress().ifPresent(a -> d.put("remoteAddress", a.toString()));
        d.put("pendingRequests", c.pendingRequests());
        d.put("runningRequests", c.runningRequests());
        if (c.state() == ConnectionState.OPEN && !c.peerEndedRequests()) {
          ready++;
        }
      }
      i.lastFailure().ifPresent(e -> d.put("lastFailure", e.toString()));
      instances.put(i.name(), d);
    }
    Health.Builder b = ready > 0 ? Health.up() : optional ? Health.unknown() : Health.down();
    if (optional && ready == 0) {
      b.withDetail("optional", true);
    }
    b.withDetail("client", client.status().name());
    client.balancing().ifPresent(source -> b.withDetail("balancing", source));
    b.withDetail("ready", ready).withDetail("instances", instances);
    client.lastFailure().ifPresent(e -> b.withDetail("lastFailure", e.toString()));
    client.lastFailureAt().ifPresent(t -> b.withDetail("lastFailureAt", t.toString()));
    return b.build();
  }

  private static Health.Builder details(Health.Builder b, PacketConnection c) {
    b.withDetail("connection", c.name()).withDetail("state", c.state().name());
    c.remoteAddress().ifPresent(a -> b.withDetail("remoteAddress", a.toString()));
    c.openedAt().ifPresent(t -> b.withDetail("openedAt", t.toString()));
    c.lastReceivedAt().ifPresent(t -> b.withDetail("lastReceivedAt", t.toString()));
    return b.withDetail("bytesReceived", c.bytesReceived())
        .withDetail("bytesSent", c.bytesSent())
        .withDetail("pendingRequests", c.pendingRequests())
        .withDetail("runningRequests", c.runningRequests());
  }
}
