package io.packetstream.wire;

/**
 * Where the fields of one request frame lie in a read buffer, filled by {@link
 * PacketCodec#peekRequest} (and, inside the codec, any frame's fields): a reusable cursor for
 * servers that answer requests straight from the buffer, without a {@link Packet} or a payload
 * array per request. Not thread-safe; one per reader.
 */
public final class RequestFrame {

  long channel;
  boolean request;
  long tag;
  long flags;
  long rqType;
  int payloadStart;
  int end;

  /** The request's channel. */
  public long channel() {
    return channel;
  }

  /** The requester's tag. */
  public long tag() {
    return tag;
  }

  /** The request flags. */
  public long flags() {
    return flags;
  }

  /** The request type (the wire value less one, as {@link Packet#rqType()}). */
  public long rqType() {
    return rqType;
  }

  /** The buffer index of the payload's first byte. */
  public int payloadStart() {
    return payloadStart;
  }

  /** The buffer index just past the frame, which is also the end of the payload. */
  public int end() {
    return end;
  }
}
