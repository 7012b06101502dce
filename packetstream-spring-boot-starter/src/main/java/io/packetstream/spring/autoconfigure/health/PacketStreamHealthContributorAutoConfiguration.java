package io.packetstream.spring.autoconfigure.health;

import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamProperties;
import io.packetstream.spring.autoconfigure.PacketStreamServerAutoConfiguration;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The {@code packetstream} health (the server and each client), when Boot's health support is
 * present, there is a server or a client to report on, and {@code
 * management.health.packetstream.enabled} is not false.
 */
@AutoConfiguration(
    after = {PacketStreamServerAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class})
@ConditionalOnClass({HealthContributor.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnEnabledHealthIndicator("packetstream")
@Conditional(PacketStreamHealthContributorAutoConfiguration.ServerOrClients.class)
public final class PacketStreamHealthContributorAutoConfiguration {

  /** The composite; its bean name makes it {@code packetstream} in the health tree. */
  @Bean
  @ConditionalOnMissingBean(name = "packetstreamHealthContributor")
  PacketStreamHealthContributor packetstreamHealthContributor(
      ObjectProvider<PacketStreamServer> server,
      ObjectProvider<PacketClients> clients,
      PacketStreamProperties properties) {
    checkClientNames(properties.getClients().keySet());
    Set<String> optional = new HashSet<>();
    properties
        .getClients()
        .forEach(
            (name, c) -> {
              if (c.isOptional()) {
                optional.add(name);
              }
            });
    return new PacketStreamHealthContributor(server, clients, optional);
  }

  /**
   * Fails for a client whose health entry would take the place of the server's or of another
   * client's: one of the two would vanish from health.
   */
  private static void checkClientNames(Collection<String> clientNames) {
    Map<String, String> taken = new HashMap<>();
    for (String name : clientNames) {
      String entry = PacketStreamHealthContributor.entryName(name);
      String property = "packetstream.clients." + name;
      if (entry.equals("server")) {
        throw new InvalidConfigurationPropertyValueException(
            property,
            name,
            "its health entry would replace the server's, 'server': rename the client");
      }
      String other = taken.putIfAbsent(entry, name);
      if (other != null) {
        throw new InvalidConfigurationPropertyValueException(
            property,
            name,
            "its health entry '"
                + entry
                + "' is also that of client '"
                + other
                + "': rename one of them");
      }
    }
  }

  /** The clients of {@code packetstream.clients.NAME.readiness=true} join the readiness group. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthEndpointGroupsPostProcessor.class)
  static class ReadinessConfiguration {

    @Bean
    static HealthEndpointGroupsPostProcessor packetStreamClientsInReadinessGroup(
        Environment environment) {
      // static, for the groups' bean post-processor: the properties bean is not bound yet
      Map<String, PacketStreamProperties.Client> clients =
          Binder.get(environment)
              .bind(
                  "packetstream.clients",
                  Bindable.mapOf(String.class, PacketStreamProperties.Client.class))
              .orElse(Map.of());
      Set<String> entries = new HashSet<>();
      clients.forEach(
          (name, c) -> {
            if (c.isReadiness()) {
              entries.add(PacketStreamHealthContributor.entryName(name));
            }
          });
      // Boot's probes are on unless this is false (AvailabilityProbesAutoConfiguration)
      boolean probes =
          environment.getProperty("management.endpoint.health.probes.enabled", Boolean.class, true);
      return new ClientsInReadinessGroup(entries, probes);
    }
  }

  /** There is a server, or at least one client: otherwise the component would be empty. */
  static class ServerOrClients extends AnyNestedCondition {

    ServerOrClients() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(PacketStreamServer.class)
    static class Server {}

    @Conditional(ClientsConfigured.class)
    static class Clients {}
  }

  /** At least one {@code packetstream.clients.<name>} is set. */
  static class ClientsConfigured extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      boolean any =
          Binder.get(context.getEnvironment())
              .bind("packetstream.clients", Bindable.mapOf(String.class, Object.class))
              .map(m -> !m.isEmpty())
              .orElse(false);
      return any
          ? ConditionOutcome.match("packetstream.clients are configured")
          : ConditionOutcome.noMatch("no packetstream.clients are configured");
    }
  }
}
