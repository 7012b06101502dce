package io.packetstream.wire;

/**
 * A frame that does not parse: truncated fields, an integer longer than 63 bits, a stream that ends
 * inside a frame, or a malformed control packet.
 */
public final class CorruptedFrameException extends MalformedFrameException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message describes the bad input. */
  public CorruptedFrameException(String message) {
    super(message);
  }
}
