package io.packetstream.spring.health;

import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.PacketStreamServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code packetstream} health: an entry {@code server} (UP while listening, with the number of
 * its connections) and one per named client (UP while connected, DOWN while it is (re)connecting,
 * UNKNOWN if it is optional); a balanced client is UP while one of its instances takes requests,
 * and lists each instance in its details. A connection that drains never makes either DOWN or
 * OUT_OF_SERVICE: its peer closing gracefully is no fault of the application. Single connections
 * are listed by the {@code packetstream} endpoint, not here, so that health stays small however
 * many peers come.
 */
public final class PacketStreamHealthContributor implements CompositeHealthContributor {

  private final ObjectProvider<PacketStreamServer> server;
  private final ObjectProvider<PacketClients> clients;
  private final Set<String> optionalClients;

  /**
   * Health of the server and clients, when there are any; a client of {@code optionalClients} that
   * is disconnected is UNKNOWN rather than DOWN, which leaves the application's health as it is.
   */
  public PacketStreamHealthContributor(
      ObjectProvider<PacketStreamServer> server,
      ObjectProvider<PacketClients> clients,
      Set<String> optionalClients) {
    this.server = server;
    this.clients = clients;
    this.optionalClients = Set.copyOf(optionalClients);
  }

  @Override
  public HealthContributor getContributor(String name) {
    return entries().get(name);
  }

  @Override
  public Stream<HealthContributors.Entry> stream() {
    return entries().entrySet().stream()
        .map(e -> new HealthContributors.Entry(e.getKey(), e.getValue()));
  }

  private Map<String, HealthIndicator> entries() {
    Map<String, HealthIndicator> all = new LinkedHashMap<>();
    PacketStreamServer s = server.getIfAvailable();
    if (s != null) {
      all.put("server", () -> ConnectionHealth.of(s));
    }
    PacketClients cs = clients.getIfAvailable();
    if (cs != null) {
      for (PacketStreamClient c : cs.all()) {
        boolean optional = optionalClients.contains(c.name());
        all.put(entryName(c.name()), () -> ConnectionHealth.of(c, optional));
      }
    }
    return all;
  }

  /**
   * The name of the health entry of the client {@code name}: entries become URL path segments, so
   * every character but letters, digits, {@code _ . -} becomes {@code -}.
   */
  public static String entryName(String name) {
    return name.replaceAll("[^A-Za-z0-9_.-]", "-");
  }
}
