package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.context.PacketConnectionEvent;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;

/** Publishes a {@link PacketConnectionEvent} when a connection of the starter opens or ends. */
final class ConnectionEventPublisher implements PacketConnectionCustomizer {

  private final ApplicationEventPublisher publisher;

  ConnectionEventPublisher(ApplicationEventPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void customize(PacketConnection.Builder builder, ConnectionRole role, String name) {
    builder.listener(
        new TrafficListener() {
          @Override
          public void connectionOpened(PacketConnection connection) {
            publisher.publishEvent(new PacketConnectionEvent.Opened(connection, role));
          }

          @Override
          public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
            publisher.publishEvent(
                failure.isPresent()
                    ? new PacketConnectionEvent.Failed(connection, role, failure.get())
                    : new PacketConnectionEvent.Closed(connection, role));
          }
        });
  }
}
