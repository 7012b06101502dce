package io.packetstream.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The protocol's unsigned integer: big-endian base-128, seven bits a byte, every byte but the last
 * with its high bit set.
 *
 * <pre>
 *   0      -> 00
 *   127    -> 7f
 *   128    -> 81 00
 *   16384  -> 81 80 00
 * </pre>
 *
 * <p>Writers produce the shortest form. Readers accept redundant leading {@code 80} bytes, as the
 * original does, but refuse anything that does not fit in 63 bits or takes more than {@link
 * #MAX_BYTES} bytes, so a hostile peer can neither overflow a value nor make a read run on.
 */
public final class BSUInt {

  /** The most bytes one integer may take on the wire: enough for 63 bits plus padding. */
  public static final int MAX_BYTES = 10;

  private BSUInt() {}

  /** Returns how many bytes {@code value} takes on the wire; {@code value} must be non-negative. */
  public static int size(long value) {
    requireNonNegative(value);
    int bits = 64 - Long.numberOfLeadingZeros(value | 1);
    return (bits + 6) / 7;
  }

  /** Writes {@code value} into {@code dst} at {@code offset}; returns the offset after it. */
  public static int write(byte[] dst, int offset, long value) {
    int n = size(value);
    int end = offset + n;
    int i = end - 1;
    dst[i] = (byte) (value & 0x7f);
    value >>>= 7;
    while (i > offset) {
      dst[--i] = (byte) (0x80 | (value & 0x7f));
      value >>>= 7;
    }
    return end;
  }

  /** Writes {@code value} at the buffer's position and advances it. */
  public static void write(ByteBuffer dst, long value) {
    for (int shift = (size(value) - 1) * 7; shift > 0; shift -= 7) {
      dst.put((byte) (0x80 | ((value >>> shift) & 0x7f)));
    }
    dst.put((byte) (value & 0x7f));
  }

  /** Writes {@code value} to a stream. */
  public static void write(OutputStream out, long value) throws IOException {
    byte[] bytes = new byte[size(value)];
    write(bytes, 0, value);
    out.write(bytes);
  }

  /** Returns the encoding of {@code value} as a new array. */
  public static byte[] encode(long value) {
    byte[] bytes = new byte[size(value)];
    write(bytes, 0, value);
    return bytes;
  }

  /**
   * Reads one integer from the buffer's position, advancing it.
   *
   * @throws EOFException if the buffer ends inside the integer
   * @throws MalformedFrameException if the integer is longer than {@link #MAX_BYTES} or exceeds 63
   *     bits
   */
  public static long read(ByteBuffer src) throws IOException {
    long value = 0;
    for (int count = 1; ; count++) {
      if (!src.hasRemaining()) {
        throw new EOFException("input ends inside an integer after " + (count - 1) + " bytes");
      }
      int b = src.get();
      value = accumulate(value, b, count);
      if (b >= 0) {
        return value;
      }
    }
  }

  /**
   * Reads one integer from a stream.
   *
   * @throws EOFException if the stream ends inside the integer (or before it)
   * @throws MalformedFrameException if the integer is longer than {@link #MAX_BYTES} or exceeds 63
   *     bits
   */
  public static long read(InputStream in) throws IOException {
    long value = 0;
    for (int count = 1; ; count++) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("input ends inside an integer after " + (count - 1) + " bytes");
      }
      value = accumulate(value, (byte) b, count);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  /** Adds the seven bits of {@code b}, the {@code count}th byte of an integer, to {@code value}. */
  static long accumulate(long value, int b, int count) throws MalformedFrameException {
    if (count > MAX_BYTES) {
      throw new CorruptedFrameException("integer longer than " + MAX_BYTES + " bytes");
    }
    if ((value >>> 56) != 0) {
      throw new CorruptedFrameException("integer exceeds 63 bits (limit " + Long.MAX_VALUE + ")");
    }
    return (value << 7) | (b & 0x7f);
  }

  static void requireNonNegative(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative value " + value + " has no BSUInt form");
    }
  }
}
