package io.packetstream.connection;

import java.io.IOException;

/**
 * The connection ended, or was closing, before a request could complete: the peer sent EOF, the
 * stream ended or failed, or this end was closed or aborted. The message says which; the cause,
 * when there is one, is the error that ended the connection.
 */
public final class ConnectionClosedException extends IOException {

  private static final long serialVersionUID = 1L;

  /** An exception with a message that names the connection and why it ended. */
  public ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** An exception without a cause. */
  public ConnectionClosedException(String message) {
    super(message);
  }
}
