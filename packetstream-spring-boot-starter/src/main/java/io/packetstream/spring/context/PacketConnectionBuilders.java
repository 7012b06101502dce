package io.packetstream.spring.context;

import io.packetstream.connection.PacketConnection;

/**
 * Makes the connection builders of the starter's server and clients, with the application's
 * settings, {@code @PacketHandler} methods and {@link PacketConnectionCustomizer}s applied.
 */
@FunctionalInterface
public interface PacketConnectionBuilders {

  /** A fresh builder for connections of {@code role} named {@code name}. */
  PacketConnection.Builder builder(ConnectionRole role, String name);
}
