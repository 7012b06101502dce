package io.packetstream.spring.context;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server could not listen when the context started (its port in use, an address not of this
 * machine, a socket path in a missing directory); the starter's failure analysis names the address
 * and the property to change.
 */
public final class ServerStartException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  private final String server;

  /** Server {@code server} could not listen, failing with {@code cause}. */
  public ServerStartException(String server, IOException cause) {
    super(server + ": cannot listen: " + cause.getMessage(), cause);
    this.server = server;
  }

  /** The name of the server that could not listen. */
  public String server() {
    return server;
  }
}
