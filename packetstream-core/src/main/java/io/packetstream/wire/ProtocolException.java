package io.packetstream.wire;

import java.io.IOException;

/**
 * The peer sent bytes that are not a valid packetstream frame: a length over the limit, a
 * truncated frame, an integer that does not fit in 63 bits, or a malformed control packet.
 *
 * <p>The message always names the offending value and, where there is one, the limit it broke,
 * so that a log line alone is enough to tell what the peer did wrong. A connection that reads one
 * of these stops reading and fails; other connections are unaffected.
 */
public final class ProtocolException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message describes the bad input. */
  public ProtocolException(String message) {
    super(message);
  }
}
