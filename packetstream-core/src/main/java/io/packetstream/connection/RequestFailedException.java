package io.packetstream.connection;

import java.util.Objects;

/**
 * A request ended with a not-ok response.
 *
 * <p>Requesters see it when a decoding submit gets a not-ok response. Handlers throw it to choose
 * the not-ok response they send: its {@link #response()} goes to the peer as it is.
 */
public class RequestFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Response response;

  /** A failure that sends (or carries) {@code response}, which must be not-ok. */
  public RequestFailedException(Response response) {
    super("request failed: flags " + response.flags() + ", " + response.text());
    if (response.ok()) {
      throw new IllegalArgumentException("an ok response is not a failure");
    }
    this.response = response;
  }

  /** A failure with these flags and payload. */
  public RequestFailedException(long flags, byte[] payload) {
    this(Response.failure(flags, Objects.requireNonNull(payload, "payload")));
  }

  /** The not-ok response. */
  public Response response() {
    return response;
  }
}
