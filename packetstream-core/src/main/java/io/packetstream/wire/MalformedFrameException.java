package io.packetstream.wire;

import java.io.IOException;

/**
 * The peer sent bytes that are not a valid packetstream frame. A connection that reads one stops
 * reading and fails; other connections are unaffected.
 *
 * <p>The message always names the offending value and, where there is one, the limit it broke, so
 * that a log line alone tells what the peer did wrong. The two kinds: a frame whose announced
 * length is over the limit ({@link TooLongFrameException}), and everything else that does not parse
 * ({@link CorruptedFrameException}).
 */
public abstract sealed class MalformedFrameException extends IOException
    permits CorruptedFrameException, TooLongFrameException {

  private static final long serialVersionUID = 1L;

  MalformedFrameException(String message) {
    super(message);
  }
}
