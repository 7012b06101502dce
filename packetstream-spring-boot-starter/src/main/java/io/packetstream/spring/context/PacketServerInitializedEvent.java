package io.packetstream.spring.context;

import io.packetstream.transport.PacketServer;
import org.springframework.context.ApplicationEvent;

/**
 * Published when the starter's server listens: to learn the port it got (when {@code
 * packetstream.server.port=0}) or to start what needs it ready.
 */
public final class PacketServerInitializedEvent extends ApplicationEvent {

  private static final long serialVersionUID = 1L;

  /** The server {@code server} has started listening. */
  public PacketServerInitializedEvent(PacketServer server) {
    super(server);
  }

  /** The server that listens now. */
  public PacketServer getServer() {
    return (PacketServer) getSource();
  }
}
