package io.packetstream.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Turns packets into frames and frames into packets.
 *
 * <p>A frame is a length-prefixed body; every integer is a {@link BSUInt}:
 *
 * <pre>
 * +-------------+-----+-----------+-----------+-----------+-----------------+
 * | body length | tag | flag word | channel   | rq_type+1 | payload ...     |
 * |             |     |           | if bit 0  | if bit 1  | rest of the body|
 * +-------------+-----+-----------+-----------+-----------+-----------------+
 *                     flag word = flags &lt;&lt; 2 | is_request &lt;&lt; 1 | (channel != 0)
 * </pre>
 *
 * <p>The protocol sets no maximum length; this codec does. {@link #decode(ByteBuffer)} and {@link
 * #read(InputStream)} check the length prefix against {@link #maxFrameLength()} before they
 * allocate anything, and fail with a {@link MalformedFrameException} naming both numbers. Encoding
 * is static: it needs no limit, and it allocates nothing when given a buffer.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class PacketCodec {

  /** The default limit on a frame's body: 16 MiB, far above any sane request yet safe to buffer. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

  /**
   * The highest limit a codec takes: a whole frame, its length prefix included, must still have an
   * {@code int} length and fit in one Java array.
   */
  public static final int LARGEST_MAX_FRAME_LENGTH = Integer.MAX_VALUE - 64;

  private static final int CHANNEL_BIT = 0x01;
  private static final int REQUEST_BIT = 0x02;

  private final int maxFrameLength;

  /** A codec that refuses frames whose body is longer than {@code maxFrameLength} bytes. */
  public PacketCodec(int maxFrameLength) {
    this.maxFrameLength = checkMaxFrameLength(maxFrameLength);
  }

  /**
   * Returns {@code bytes} if it is a valid frame length limit: 2 to {@link
   * #LARGEST_MAX_FRAME_LENGTH}.
   *
   * @throws IllegalArgumentException otherwise, naming the bounds
   */
  public static int checkMaxFrameLength(int bytes) {
    if (bytes < 2 || bytes > LARGEST_MAX_FRAME_LENGTH) {
      throw new IllegalArgumentException(
          "maxFrameLength "
              + bytes
              + " is outside 2.."
              + LARGEST_MAX_FRAME_LENGTH
              + " (LARGEST_MAX_FRAME_LENGTH)");
    }
    return bytes;
  }

  /** A codec with {@link #DEFAULT_MAX_FRAME_LENGTH}. */
  public PacketCodec() {
    this(DEFAULT_MAX_FRAME_LENGTH);
  }

  /** The longest frame body this codec accepts, in bytes. */
  public int maxFrameLength() {
    return maxFrameLength;
  }

  // ---- encoding ----

  /** The length of the packet's frame body (everything after the length prefix). */
  public static int bodyLength(Packet p) {
    long n = (long) BSUInt.size(p.tag()) + BSUInt.size(flagWord(p)) + p.payload().length;
    if (p.channel() != 0) {
      n += BSUInt.size(p.channel());
    }
    if (p.request()) {
      n += BSUInt.size(p.wireRqType());
    }
    if (n > Integer.MAX_VALUE - BSUInt.MAX_BYTES) {
      throw new IllegalArgumentException("packet of " + n + " bytes is too large to frame");
    }
    return (int) n;
  }

  /** The length of the whole frame: length prefix and body. */
  public static int frameLength(Packet p) {
    int body = bodyLength(p);
    return BSUInt.size(body) + body;
  }

  /** The length of the frame without its payload: what {@link #encodeHeader} writes. */
  public static int headerLength(Packet p) {
    return frameLength(p) - p.payload().length;
  }

  /**
   * Writes the frame's length prefix and fields, everything but the payload, into {@code dst} at
   * {@code offset}; returns the offset after them. Lets a writer send a large payload straight from
   * the packet's array instead of copying it.
   */
  public static int encodeHeader(Packet p, byte[] dst, int offset) {
    int i = BSUInt.write(dst, offset, bodyLength(p));
    i = BSUInt.write(dst, i, p.tag());
    i = BSUInt.write(dst, i, flagWord(p));
    if (p.channel() != 0) {
      i = BSUInt.write(dst, i, p.channel());
    }
    if (p.request()) {
      i = BSUInt.write(dst, i, p.wireRqType());
    }
    return i;
  }

  /** Writes the whole frame into {@code dst} at {@code offset}; returns the offset after it. */
  public static int encode(Packet p, byte[] dst, int offset) {
    int i = encodeHeader(p, dst, offset);
    byte[] payload = p.payload();
    System.arraycopy(payload, 0, dst, i, payload.length);
    return i + payload.length;
  }

  /**
   * Writes the whole frame at the buffer's position and advances it; heap or direct.
   *
   * @throws java.nio.BufferOverflowException if the frame does not fit
   */
  public static void encode(Packet p, ByteBuffer dst) {
    encodeHeader(p, dst);
    dst.put(p.payload());
  }

  /**
   * Writes the frame's length prefix and fields, everything but the payload, at the buffer's
   * position and advances it.
   *
   * @throws java.nio.BufferOverflowException if they do not fit
   */
  public static void encodeHeader(Packet p, ByteBuffer dst) {
    if (dst.remaining() < headerLength(p)) {
      throw new java.nio.BufferOverflowException();
    }
    if (dst.hasArray()) {
      int start = dst.arrayOffset() + dst.position();
      dst.position(dst.position() + encodeHeader(p, dst.array(), start) - start);
      return;
    }
    BSUInt.write(dst, bodyLength(p));
    BSUInt.write(dst, p.tag());
    BSUInt.write(dst, flagWord(p));
    if (p.channel() != 0) {
      BSUInt.write(dst, p.channel());
    }
    if (p.request()) {
      BSUInt.write(dst, p.wireRqType());
    }
  }

  /** The whole frame as a new array. */
  public static byte[] encode(Packet p) {
    byte[] frame = new byte[frameLength(p)];
    encode(p, frame, 0);
    return frame;
  }

  /** Writes the frame to a stream (without flushing it). */
  public static void write(Packet p, OutputStream out) throws IOException {
    byte[] header = new byte[headerLength(p)];
    encodeHeader(p, header, 0);
    out.write(header);
    out.write(p.payload());
  }

  private static long flagWord(Packet p) {
    return flagWord(p.flags(), p.request(), p.channel());
  }

  /** The flag word: the one place that lays it out, and {@link #readFields} that takes it apart. */
  private static long flagWord(long flags, boolean request, long channel) {
    return (flags << 2) | (request ? REQUEST_BIT : 0) | (channel != 0 ? CHANNEL_BIT : 0);
  }

  /**
   * Reads a frame body's fields, everything before the payload, from the buffer's position (whose
   * limit is the body's end) into {@code into}: the one place that parses them.
   */
  private static void readFields(ByteBuffer src, RequestFrame into) throws IOException {
    into.tag = BSUInt.read(src);
    long word = BSUInt.read(src);
    into.request = (word & REQUEST_BIT) != 0;
    into.flags = word >>> 2;
    into.channel = (word & CHANNEL_BIT) != 0 ? BSUInt.read(src) : 0;
    into.rqType = into.request ? BSUInt.read(src) - 1 : Packet.NO_RQ_TYPE;
    into.payloadStart = src.position();
  }

  // ---- decoding ----

  /**
   * Looks at the frame starting at the buffer's position without consuming anything.
   *
   * @return the whole frame's length (prefix and body), or -1 if the length prefix itself is not
   *     all there yet
   * @throws MalformedFrameException if the prefix is malformed or announces a body over the limit
   */
  public int peekFrameLength(ByteBuffer src) throws MalformedFrameException {
    long length = 0;
    int pos = src.position();
    int limit = src.limit();
    for (int count = 1; ; count++) {
      if (pos >= limit) {
        if (length > maxFrameLength) {
          // fail fast: the rest of the prefix can only make it longer
          throw new TooLongFrameException(
              "frame length of at least "
                  + length
                  + " bytes exceeds the limit of "
                  + maxFrameLength
                  + " bytes");
        }
        return -1;
      }
      int b = src.get(pos++);
      length = BSUInt.accumulate(length, b, count);
      if (b >= 0) {
        if (length > maxFrameLength) {
          throw new TooLongFrameException(
              "frame length " + length + " exceeds the limit of " + maxFrameLength + " bytes");
        }
        return (pos - src.position()) + (int) length;
      }
    }
  }

  /**
   * Looks at the frame starting at the buffer's position without consuming anything and, if the
   * buffer holds all of it and it is a request other than EOF and ERQ, tells {@code frame} where
   * its fields and payload lie.
   *
   * @return true if {@code frame} now describes such a request; false for an incomplete frame, a
   *     response or a control packet, which {@link #decode} then reads (the frame's {@link
   *     RequestFrame#end()} is then unchanged, its other fields undefined)
   * @throws MalformedFrameException as {@link #decode} would
   */
  public boolean peekRequest(ByteBuffer src, RequestFrame frame) throws MalformedFrameException {
    int length = peekFrameLength(src);
    if (length < 0 || src.remaining() < length) {
      return false;
    }
    int start = src.position();
    int limit = src.limit();
    int end = start + length;
    try {
      readPrefix(src);
      src.limit(end);
      readFields(src, frame);
      if (!frame.request || frame.rqType == Packet.NO_RQ_TYPE) {
        return false;
      }
      frame.end = end;
      return true;
    } catch (IOException e) {
      return false; // decode reports what is wrong with it
    } finally {
      src.limit(limit);
      src.position(start);
    }
  }

  /**
   * Writes a whole response frame at the buffer's position and advances it: the payload is {@code
   * payload}'s remaining bytes, which are consumed. The allocation-free counterpart of {@code
   * encode(Packet.response(channel, tag, ok, resultFlags, bytes), dst)}.
   *
   * @return the frame's length
   * @throws java.nio.BufferOverflowException if the frame does not fit (nothing is written)
   * @throws IllegalArgumentException if {@code resultFlags} is negative or over {@link
   *     Packet#MAX_RESULT_FLAGS}
   */
  public static int encodeResponse(
      long channel, long tag, boolean ok, long resultFlags, ByteBuffer payload, ByteBuffer dst) {
    long word = flagWord(Packet.responseFlags(ok, resultFlags), false, channel);
    int body =
        BSUInt.size(tag)
            + BSUInt.size(word)
            + (channel != 0 ? BSUInt.size(channel) : 0)
            + payload.remaining();
    int frame = BSUInt.size(body) + body;
    if (dst.remaining() < frame) {
      throw new java.nio.BufferOverflowException();
    }
    BSUInt.write(dst, body);
    BSUInt.write(dst, tag);
    BSUInt.write(dst, word);
    if (channel != 0) {
      BSUInt.write(dst, channel);
    }
    dst.put(payload);
    return frame;
  }

  /**
   * Decodes the frame at the buffer's position if the buffer holds all of it, advancing past it.
   *
   * @return the packet, or {@code null} (buffer unchanged) if the frame is not complete yet
   * @throws MalformedFrameException if the frame is over the limit or its body is malformed
   */
  public Packet decode(ByteBuffer src) throws MalformedFrameException {
    int frame = peekFrameLength(src);
    if (frame < 0 || src.remaining() < frame) {
      return null;
    }
    int end = src.position() + frame;
    readPrefix(src);
    Packet p = decodeBody(src, end);
    src.position(end);
    return p;
  }

  /**
   * Reads one frame from a stream.
   *
   * @return the packet, or {@code null} if the stream ended cleanly before the frame's first byte
   * @throws MalformedFrameException if the frame is over the limit, malformed, or cut short by the
   *     end of the stream
   */
  public Packet read(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    long length = BSUInt.accumulate(0, (byte) first, 1);
    for (int count = 2, b = first; (b & 0x80) != 0; count++) {
      b = in.read();
      if (b < 0) {
        throw new CorruptedFrameException("stream ends inside a frame's length prefix");
      }
      length = BSUInt.accumulate(length, (byte) b, count);
    }
    if (length > maxFrameLength) {
      throw new TooLongFrameException(
          "frame length " + length + " exceeds the limit of " + maxFrameLength + " bytes");
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new CorruptedFrameException(
          "stream ends inside a frame: " + body.length + " of " + length + " body bytes");
    }
    ByteBuffer buffer = ByteBuffer.wrap(body);
    return decodeBody(buffer, body.length);
  }

  private static void readPrefix(ByteBuffer src) {
    while (src.get() < 0) {
      // skip the length prefix already checked by peekFrameLength
    }
  }

  /**
   * Decodes a frame body that runs from the buffer's position to {@code end}.
   *
   * @throws MalformedFrameException if the fields run past the end of the body or a number is
   *     invalid
   */
  static Packet decodeBody(ByteBuffer src, int end) throws MalformedFrameException {
    int limit = src.limit();
    int start = src.position();
    src.limit(end);
    try {
      RequestFrame f = new RequestFrame();
      readFields(src, f);
      byte[] payload = new byte[end - src.position()];
      src.get(payload);
      return new Packet(f.channel, f.tag, f.flags, f.request, f.rqType, payload);
    } catch (EOFException e) {
      throw new CorruptedFrameException(
          "frame body of " + (end - start) + " bytes ends inside its fields");
    } catch (MalformedFrameException e) {
      throw e;
    } catch (IOException e) {
      throw new CorruptedFrameException("malformed frame: " + e.getMessage());
    } finally {
      src.limit(limit);
    }
  }
}
