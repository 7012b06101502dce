package io.packetstream.cli;

import io.packetstream.transport.PacketServer;
import java.io.IOException;

/** The tests' rr-servers: the command's server with every limit at its default. */
final class RrServers {

  private RrServers() {}

  /** An rr-server with its BufferHandler on a free port of 127.0.0.1; the caller closes it. */
  static PacketServer start() throws IOException {
    return start(Endpoint.loopback(0), false);
  }

  /**
   * An rr-server on the endpoint, with the RequestHandler of {@code --request-handler} when {@code
   * requestHandler}; the caller closes it.
   */
  static PacketServer start(Endpoint endpoint, boolean requestHandler) throws IOException {
    return RrServerCommand.start(endpoint, requestHandler, new ServerLimits());
  }
}
