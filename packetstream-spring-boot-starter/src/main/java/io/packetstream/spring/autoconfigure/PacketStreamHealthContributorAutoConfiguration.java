package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.connection.PacketClients;
import io.packetstream.spring.connection.PacketStreamServer;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * The {@code packetstream} health (server, connections, clients), when Boot's health support is
 * present and {@code management.health.packetstream.enabled} is not false.
 */
@AutoConfiguration(after = {PacketServerAutoConfiguration.class, PacketClientsAutoConfiguration.class})
@ConditionalOnClass({HealthContributor.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnEnabledHealthIndicator("packetstream")
public class PacketStreamHealthContributorAutoConfiguration {

  /** The composite; its bean name makes it {@code packetstream} in the health tree. */
  @Bean
  @ConditionalOnMissingBean(name = "packetstreamHealthContributor")
  PacketStreamHealthContributor packetstreamHealthContributor(
      ObjectProvider<PacketStreamServer> server, ObjectProvider<PacketClients> clients,
      PacketStreamProperties properties) {
    PacketStreamServer s = server.getIfAvailable();
    checkClientNames(s != null ? s.name() : properties.getServer().getName(),
        properties.getClients().keySet());
    return new PacketStreamHealthContributor(server, clients);
  }

  /**
   * Fails for a client whose health entry would take the place of the server's, of one of the
   * server's connections or of another client's: one of the two would vanish from health.
   */
  static void checkClientNames(String serverName, Collection<String> clientNames) {
    Pattern serverConnection = Pattern.compile(
        Pattern.quote(PacketStreamHealthContributor.entryName(serverName + "#")) + "\\d+");
    Map<String, String> taken = new HashMap<>();
    for (String name : clientNames) {
      String entry = PacketStreamHealthContributor.entryName(name);
      String property = "packetstream.clients." + name;
      PropertyCheck.require(!entry.equals("server"), property, name,
          "its health entry would replace the server's, 'server': rename the client");
      PropertyCheck.require(!serverConnection.matcher(entry).matches(), property, name,
          "its health entry '" + entry + "' is the name of a connection of server '" + serverName
              + "': rename the client");
      String other = taken.putIfAbsent(entry, name);
      PropertyCheck.require(other == null, property, name,
          "its health entry '" + entry + "' is also that of client '" + other
              + "': rename one of them");
    }
  }
}
