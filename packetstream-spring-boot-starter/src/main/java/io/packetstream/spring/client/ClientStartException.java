package io.packetstream.spring.client;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A fail-fast client could not connect when the context started, so start-up fails; the starter's
 * failure analysis names the client's address and its {@code fail-fast} property.
 */
public final class ClientStartException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  private final String client;

  /** Client {@code client} failed to connect with {@code cause}. */
  public ClientStartException(String client, IOException cause) {
    super(
        "packetstream client " + client + " cannot connect (fail-fast): " + cause.getMessage(),
        cause);
    this.client = client;
  }

  /** The name of the client that could not connect. */
  public String client() {
    return client;
  }
}
