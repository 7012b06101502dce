package io.packetstream.wire;

/** A frame whose length prefix announces more bytes than the reader's limit allows. */
public final class TooLongFrameException extends MalformedFrameException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message names the length and the limit. */
  public TooLongFrameException(String message) {
    super(message);
  }
}
