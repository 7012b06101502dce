package io.packetstream.wire;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One packet of the protocol: a request, a response, or one of the two control packets.
 *
 * <p>{@code flags} is the packet's flags field as carried on the wire (the flag word without its
 * two low bits). For a response it packs the ok bit below the handler's flags; {@link #ok()} and
 * {@link #resultFlags()} take it apart. {@code rqType} is the application's request type (the wire
 * carries it plus one); it is {@link #NO_RQ_TYPE} for responses and for the control packets, whose
 * wire request type is 0.
 *
 * <p>The packet owns {@code payload}: the array is not copied, so whoever hands one in must not
 * change it afterwards, and whoever reads one must not change it. That keeps the hot path free of
 * copies.
 *
 * @param channel the channel, 0 for the default channel
 * @param tag the requester's number for the request, echoed by its response
 * @param flags the flags field as carried
 * @param request whether this is a request (or a control packet) rather than a response
 * @param rqType the application's request type, or {@link #NO_RQ_TYPE}
 * @param payload the payload bytes, owned by the packet
 */
public record Packet(
    long channel, long tag, long flags, boolean request, long rqType, byte[] payload) {

  /** The {@code rqType} of responses and control packets (wire request type 0). */
  public static final long NO_RQ_TYPE = -1;

  /** The largest flags field a packet can carry: the flag word must fit in 63 bits. */
  public static final long MAX_FLAGS = Long.MAX_VALUE >>> 2;

  /** The largest result flags a response can carry beside its ok bit. */
  public static final long MAX_RESULT_FLAGS = MAX_FLAGS >>> 1;

  /** The largest application request type: one more must fit in 63 bits. */
  public static final long MAX_RQ_TYPE = Long.MAX_VALUE - 1;

  private static final byte[] EMPTY = new byte[0];

  /** End of file: the sender will send nothing more. */
  public static final Packet EOF = new Packet(0, 0, 0, true, NO_RQ_TYPE, EMPTY);

  /** End of requests: the sender will send no more requests, only responses. */
  public static final Packet ERQ = new Packet(0, 1, 0, true, NO_RQ_TYPE, EMPTY);

  /** Checks every field against what the wire can carry. */
  public Packet {
    if (channel < 0 || tag < 0) {
      throw new IllegalArgumentException("negative channel " + channel + " or tag " + tag);
    }
    if (flags < 0 || flags > MAX_FLAGS) {
      throw new IllegalArgumentException("flags " + flags + " outside 0.." + MAX_FLAGS);
    }
    if (request ? rqType < NO_RQ_TYPE || rqType > MAX_RQ_TYPE : rqType != NO_RQ_TYPE) {
      throw new IllegalArgumentException(
          (request ? "request type " : "a response carries no request type, got ") + rqType);
    }
    if (payload == null) {
      throw new IllegalArgumentException("payload is null; use an empty array");
    }
  }

  /** A request of application type {@code rqType}. */
  public static Packet request(long channel, long tag, long flags, long rqType, byte[] payload) {
    if (rqType < 0) {
      throw new IllegalArgumentException("request type " + rqType + " is negative");
    }
    return new Packet(channel, tag, flags, true, rqType, payload);
  }

  /** A response carrying the ok bit and the handler's {@code resultFlags}. */
  public static Packet response(
      long channel, long tag, boolean ok, long resultFlags, byte[] payload) {
    return new Packet(channel, tag, responseFlags(ok, resultFlags), false, NO_RQ_TYPE, payload);
  }

  /**
   * A response's flags field: the handler's flags above the ok bit. The one place that lays it out;
   * {@link #ok()} and {@link #resultFlags()} take it apart.
   *
   * @throws IllegalArgumentException if {@code resultFlags} is negative or over {@link
   *     #MAX_RESULT_FLAGS}
   */
  static long responseFlags(boolean ok, long resultFlags) {
    if (resultFlags < 0 || resultFlags > MAX_RESULT_FLAGS) {
      throw new IllegalArgumentException(
          "result flags " + resultFlags + " outside 0.." + MAX_RESULT_FLAGS);
    }
    return (resultFlags << 1) | (ok ? 1 : 0);
  }

  /** Whether this is a control packet (a request with wire request type 0). */
  public boolean isControl() {
    return request && rqType == NO_RQ_TYPE;
  }

  /** Whether this is exactly the EOF control packet. */
  public boolean isEof() {
    return isControl() && channel == 0 && tag == 0 && flags == 0 && payload.length == 0;
  }

  /** Whether this is exactly the ERQ control packet. */
  public boolean isErq() {
    return isControl() && channel == 0 && tag == 1 && flags == 0 && payload.length == 0;
  }

  /** For a response: whether the request succeeded (the ok bit). */
  public boolean ok() {
    return (flags & 1) != 0;
  }

  /** For a response: the handler's flags, without the ok bit. */
  public long resultFlags() {
    return flags >>> 1;
  }

  /** The request type as carried on the wire: {@code rqType + 1}, or 0 for a control packet. */
  public long wireRqType() {
    return rqType + 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Packet p
        && channel == p.channel
        && tag == p.tag
        && flags == p.flags
        && request == p.request
        && rqType == p.rqType
        && Arrays.equals(payload, p.payload);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(channel);
    h = 31 * h + Long.hashCode(tag);
    h = 31 * h + Long.hashCode(flags);
    h = 31 * h + Long.hashCode(rqType);
    return 31 * h + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    String head =
        request
            ? (isControl() ? "Control" : "Request")
                + "[channel="
                + channel
                + ", tag="
                + tag
                + ", flags="
                + flags
                + ", rqType="
                + rqType
            : "Response[channel="
                + channel
                + ", tag="
                + tag
                + ", ok="
                + ok()
                + ", flags="
                + resultFlags();
    int shown = Math.min(payload.length, 32);
    return head
        + ", payload="
        + payload.length
        + " bytes "
        + HexFormat.of().formatHex(payload, 0, shown)
        + (shown < payload.length ? "..." : "")
        + "]";
  }
}
