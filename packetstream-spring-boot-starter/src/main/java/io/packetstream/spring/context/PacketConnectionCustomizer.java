package io.packetstream.spring.context;

import io.packetstream.connection.PacketConnection;

/**
 * Adjusts every connection builder the starter creates, before any connection opens: the server's
 * (one builder for all its connections) and each named client's. Metrics and events attach their
 * {@link io.packetstream.connection.TrafficListener}s this way; an application can add its own
 * listeners or limits.
 *
 * <pre>{@code
 * @Bean
 * PacketConnectionCustomizer auditing() {
 *   return (builder, role, name) -> builder.listener(new AuditListener(name));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PacketConnectionCustomizer {

  /**
   * Customizes {@code builder}, which opens connections of {@code role}; {@code name} is the
   * client's name, or the server's (its connections are named {@code name#n}).
   */
  void customize(PacketConnection.Builder builder, ConnectionRole role, String name);
}
