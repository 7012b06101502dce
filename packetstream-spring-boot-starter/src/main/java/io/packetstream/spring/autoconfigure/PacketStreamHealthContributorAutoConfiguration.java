package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.connection.PacketClients;
import io.packetstream.spring.connection.PacketStreamServer;
import io.packetstream.spring.health.PacketStreamHealthContributor;
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
      ObjectProvider<PacketStreamServer> server, ObjectProvider<PacketClients> clients) {
    return new PacketStreamHealthContributor(server, clients);
  }
}
