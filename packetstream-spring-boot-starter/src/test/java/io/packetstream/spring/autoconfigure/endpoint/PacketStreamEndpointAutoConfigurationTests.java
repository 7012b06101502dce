package io.packetstream.spring.autoconfigure.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.endpoint.PacketStreamEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The endpoint auto-configuration: the packetstream endpoint when it is exposed. */
class PacketStreamEndpointAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class,
                  PacketStreamEndpointAutoConfiguration.class));

  @Test
  void endpointWhenExposed() {
    runner
        .withPropertyValues("management.endpoints.web.exposure.include=packetstream")
        .run(context -> assertThat(context).hasSingleBean(PacketStreamEndpoint.class));
  }

  @Test
  void noEndpointUnlessExposed() {
    runner.run(context -> assertThat(context).doesNotHaveBean(PacketStreamEndpoint.class));
  }
}
