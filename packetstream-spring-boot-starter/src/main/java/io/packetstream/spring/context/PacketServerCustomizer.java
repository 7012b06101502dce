package io.packetstream.spring.context;

import io.packetstream.transport.PacketServer;

/**
 * Adjusts the core server's builder after the {@code packetstream.server.*} properties are applied
 * and before it binds: for settings the properties do not offer (the listen backlog, TLS on the
 * event loops). Define a bean of this type; beans are applied in their order.
 *
 * <pre>{@code
 * @Bean
 * PacketServerCustomizer backlog() {
 *   return builder -> builder.backlog(1024);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PacketServerCustomizer {

  /** Customizes {@code builder}, which will bind the starter's server. */
  void customize(PacketServer.Builder builder);
}
