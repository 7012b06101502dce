package io.packetstream.spring.autoconfigure.health;

import static io.packetstream.spring.autoconfigure.StartupFailures.invalidProperty;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamServerAutoConfiguration;
import io.packetstream.spring.health.PacketStreamHealthContributor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health auto-configuration: a packetstream component when there is a server or a client. */
class PacketStreamHealthContributorAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class,
                  PacketStreamServerAutoConfiguration.class,
                  PacketStreamClientsAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  PacketStreamHealthContributorAutoConfiguration.class));

  @Test
  void healthContributorNamedPacketstreamForAServer() {
    runner
        .withPropertyValues("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(PacketStreamHealthContributor.class)
                    .hasBean("packetstreamHealthContributor"));
  }

  @Test
  void healthContributorForClientsWithoutAServer() {
    runner
        .withPropertyValues(
            "packetstream.clients.a.port=1", "packetstream.clients.a.reconnect.enabled=false")
        .run(context -> assertThat(context).hasSingleBean(PacketStreamHealthContributor.class));
  }

  @Test
  void noHealthComponentWithoutServerOrClients() {
    runner.run(
        context ->
            assertThat(context)
                .doesNotHaveBean(PacketStreamHealthContributor.class)
                .doesNotHaveBean("packetstreamHealthContributor"));
  }

  @ParameterizedTest
  @CsvSource({"server, server"})
  void aClientWhoseHealthEntryCollidesStopsStartUp(String name, String entry) {
    runner
        .withPropertyValues(
            "packetstream.clients[" + name + "].port=1",
            "packetstream.clients[" + name + "].reconnect.enabled=false")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalidProperty(context);
              assertThat(e.getName()).isEqualTo("packetstream.clients." + name);
              assertThat(e.getMessage()).contains("health entry");
            });
  }

  @Test
  void twoClientsWithTheSameHealthEntryStopStartUp() {
    runner
        .withPropertyValues("packetstream.clients[a b].port=1", "packetstream.clients[a-b].port=1")
        .run(
            context ->
                assertThat(invalidProperty(context).getMessage())
                    .contains("its health entry 'a-b' is also that of client"));
  }

  @Test
  void noHealthWhenDisabled() {
    runner
        .withPropertyValues("management.health.packetstream.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamHealthContributor.class));
  }

  @Test
  void noHealthWithoutBootHealth() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthContributor.class))
        .run(context -> assertThat(context).doesNotHaveBean(PacketStreamHealthContributor.class));
  }
}
