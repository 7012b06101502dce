package io.packetstream.spring.autoconfigure.endpoint;

import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamServerAutoConfiguration;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.endpoint.PacketStreamEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code packetstream} actuator endpoint, when Actuator is present and it is exposed. */
@AutoConfiguration(
    after = {PacketStreamServerAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class})
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(PacketStreamEndpoint.class)
public final class PacketStreamEndpointAutoConfiguration {

  /** The endpoint. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamEndpoint packetStreamEndpoint(
      ObjectProvider<PacketStreamServer> server, ObjectProvider<PacketClients> clients) {
    return new PacketStreamEndpoint(server, clients);
  }
}
