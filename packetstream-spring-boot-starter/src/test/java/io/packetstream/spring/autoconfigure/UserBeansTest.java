package io.packetstream.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.autoconfigure.endpoint.PacketStreamEndpointAutoConfiguration;
import io.packetstream.spring.autoconfigure.health.PacketStreamHealthContributorAutoConfiguration;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.endpoint.PacketStreamEndpoint;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import io.packetstream.transport.PacketServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Each bean of the starter steps aside for the application's own of its type (or name). */
class UserBeansTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class,
                  PacketStreamAutoConfiguration.class,
                  PacketStreamServerAutoConfiguration.class,
                  PacketStreamClientsAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  PacketStreamHealthContributorAutoConfiguration.class,
                  PacketStreamEndpointAutoConfiguration.class))
          .withPropertyValues("management.endpoints.web.exposure.include=packetstream");

  @Test
  void theApplicationsServer() {
    runner
        .withPropertyValues("packetstream.server.port=0")
        .withUserConfiguration(UserServer.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(PacketStreamServer.class);
              assertThat(context.getBean(PacketStreamServer.class).name()).isEqualTo("mine");
            });
  }

  @Test
  void theApplicationsClients() {
    runner
        .withUserConfiguration(UserClients.class)
        .run(
            context ->
                assertThat(context.getBean(PacketClients.class))
                    .isSameAs(context.getBean("userClients")));
  }

  @Test
  void theApplicationsHealthContributor() {
    runner
        .withUserConfiguration(UserHealth.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(PacketStreamHealthContributor.class);
              assertThat(context.getBean("packetstreamHealthContributor"))
                  .isInstanceOf(HealthIndicator.class);
            });
  }

  @Test
  void theApplicationsEndpoint() {
    runner
        .withUserConfiguration(UserEndpoint.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(PacketStreamEndpoint.class);
              assertThat(context.getBean(PacketStreamEndpoint.class))
                  .isSameAs(context.getBean("userEndpoint"));
            });
  }

  @Test
  void theApplicationsHandlers() {
    runner
        .withUserConfiguration(UserHandlers.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(PacketHandlers.class);
              assertThat(context.getBean(PacketHandlers.class))
                  .isSameAs(context.getBean("userHandlers"));
            });
  }

  @Test
  void noEndpointWithoutActuator() {
    runner
        .withClassLoader(new FilteredClassLoader(Endpoint.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(PacketStreamEndpoint.class);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserServer {
    @Bean
    PacketStreamServer userServer() {
      return new PacketStreamServer(
          "mine",
          () -> PacketServer.builder(PacketConnection.builder()).name("mine").bindLoopback(0),
          event -> {});
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserClients {
    @Bean
    PacketClients userClients() {
      return new PacketClients(List.of(), (role, name) -> PacketConnection.builder());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserHealth {
    @Bean
    HealthIndicator packetstreamHealthContributor() {
      return () -> Health.up().build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserEndpoint {
    @Bean
    PacketStreamEndpoint userEndpoint(
        ObjectProvider<PacketStreamServer> server, ObjectProvider<PacketClients> clients) {
      return new PacketStreamEndpoint(server, clients);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserHandlers {
    @Bean
    static PacketHandlers userHandlers(ObjectProvider<PayloadCodec> codec) {
      return new PacketHandlers(codec);
    }
  }
}
