package io.packetstream.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz targets of the wire format: the integer reader and the frame decoder, fed any bytes.
 *
 * <p>In a plain {@code mvn test} each target replays its corpus: the recordings of {@code wire/}
 * (copied in by the build, see the pom) and the findings committed under {@code
 * WireFuzzTestInputs/<target>/}. {@code bench/fuzz.sh} fuzzes them.
 */
class WireFuzzTest {

  private static final PacketCodec CODEC = new PacketCodec();

  /** A small limit, so that inputs of a few bytes reach the too-long path too. */
  private static final PacketCodec SMALL = new PacketCodec(100);

  // ------------------------------------------------------------------ BSUInt

  /** What reading one integer from the start of some bytes gives. */
  private record Read(String outcome, long value, int consumed) {
    static final Read EOF = new Read("eof", 0, 0);
    static final Read CORRUPT = new Read("corrupt", 0, 0);
  }

  /**
   * Reading an integer from any bytes, from a heap buffer, a direct buffer and a stream, gives
   * exactly what the rules of {@link BSUInt} say, computed here with unbounded integers: the bytes
   * up to the first one without its high bit form the integer; it is refused as corrupted (and only
   * then) if it runs past {@link BSUInt#MAX_BYTES} bytes or its value past 63 bits, at the byte
   * where it does; the input ending before that is an {@link EOFException}. A value read re-encodes
   * to the bytes it came from less their redundant leading {@code 80} bytes (none when the input
   * was in the shortest form).
   */
  @FuzzTest
  void bsuint(byte[] input) throws IOException {
    Read expected = bsuintModel(input);
    assertThat(readBuffer(ByteBuffer.wrap(input))).as("heap buffer").isEqualTo(expected);
    assertThat(readBuffer(direct(input))).as("direct buffer").isEqualTo(expected);
    assertThat(readStream(input)).as("stream").isEqualTo(expected);
    if (expected.outcome().equals("value")) {
      int first = 0;
      while (first < expected.consumed() - 1 && input[first] == (byte) 0x80) {
        first++;
      }
      byte[] shortest = Arrays.copyOfRange(input, first, expected.consumed());
      assertThat(BSUInt.encode(expected.value())).as("re-encoded").isEqualTo(shortest);
      assertThat(BSUInt.size(expected.value())).isEqualTo(shortest.length);
    }
  }

  private static Read bsuintModel(byte[] input) {
    BigInteger value = BigInteger.ZERO;
    for (int i = 0; i < input.length; i++) {
      if (i + 1 > BSUInt.MAX_BYTES) {
        return Read.CORRUPT;
      }
      value = value.shiftLeft(7).or(BigInteger.valueOf(input[i] & 0x7f));
      if (value.bitLength() > 63) {
        return Read.CORRUPT;
      }
      if ((input[i] & 0x80) == 0) {
        return new Read("value", value.longValueExact(), i + 1);
      }
    }
    return Read.EOF;
  }

  private static Read readBuffer(ByteBuffer b) throws IOException {
    try {
      long v = BSUInt.read(b);
      return new Read("value", v, b.position());
    } catch (EOFException e) {
      return Read.EOF;
    } catch (CorruptedFrameException e) {
      return Read.CORRUPT;
    }
  }

  private static Read readStream(byte[] input) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(input);
    try {
      long v = BSUInt.read(in);
      return new Read("value", v, input.length - in.available());
    } catch (EOFException e) {
      return Read.EOF;
    } catch (CorruptedFrameException e) {
      return Read.CORRUPT;
    }
  }

  // ------------------------------------------------------------------ frames

  /** Frames decoded from the start of some bytes, and how the decoding stopped. */
  private record Decoded(List<Packet> packets, List<Integer> ends, Class<?> error, int rest) {}

  /**
   * Decoding any bytes as a stream of frames, with the default limit and with a small one:
   *
   * <ul>
   *   <li>throws nothing but {@link MalformedFrameException}s (anything else fails the target);
   *   <li>heap and direct buffers give the same packets and stop the same way, and reading the
   *       bytes as an {@link java.io.InputStream} gives the same packets too;
   *   <li>every packet re-encodes to exactly the frame it came from when that frame's integers are
   *       all in their shortest form, and otherwise to a shorter frame that decodes to the same
   *       packet;
   *   <li>{@link PacketCodec#peekRequest} describes every whole request frame exactly as decoding
   *       it does.
   * </ul>
   */
  @FuzzTest
  void frames(byte[] input) throws IOException {
    for (PacketCodec codec : new PacketCodec[] {CODEC, SMALL}) {
      Decoded heap = decodeAll(codec, ByteBuffer.wrap(input));
      Decoded direct = decodeAll(codec, direct(input));
      assertThat(direct).as("direct buffer, limit %d", codec.maxFrameLength()).isEqualTo(heap);
      checkStream(codec, input, heap);
      int start = 0;
      for (int i = 0; i < heap.packets().size(); i++) {
        int end = heap.ends().get(i);
        checkPacket(codec, input, start, end, heap.packets().get(i));
        start = end;
      }
    }
  }

  private static Decoded decodeAll(PacketCodec codec, ByteBuffer src) {
    List<Packet> packets = new ArrayList<>();
    List<Integer> ends = new ArrayList<>();
    try {
      Packet p;
      while ((p = codec.decode(src)) != null) {
        packets.add(p);
        ends.add(src.position());
      }
      return new Decoded(packets, ends, null, src.remaining());
    } catch (MalformedFrameException e) {
      return new Decoded(packets, ends, e.getClass(), -1);
    }
  }

  /** The stream reader agrees with the buffer decoder on the same bytes. */
  private static void checkStream(PacketCodec codec, byte[] input, Decoded whole)
      throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(input);
    List<Packet> packets = new ArrayList<>();
    Class<?> error = null;
    try {
      Packet p;
      while ((p = codec.read(in)) != null) {
        packets.add(p);
      }
    } catch (MalformedFrameException e) {
      error = e.getClass();
    }
    assertThat(packets).as("stream, limit %d", codec.maxFrameLength()).isEqualTo(whole.packets());
    if (whole.error() == null && whole.rest() == 0) {
      assertThat(error).as("stream ends on a frame boundary").isNull();
    } else if (whole.error() == null) {
      // an incomplete last frame: the stream ends inside it
      assertThat(error).isEqualTo(CorruptedFrameException.class);
    } else if (whole.error() == TooLongFrameException.class
        && error == CorruptedFrameException.class) {
      // the buffer decoder refuses a length prefix cut short that is already over the limit
      int at = whole.ends().isEmpty() ? 0 : whole.ends().get(whole.ends().size() - 1);
      for (int i = at; i < input.length; i++) {
        assertThat(input[i] & 0x80).as("the input ends inside the length prefix").isNotZero();
      }
    } else {
      assertThat(error).isEqualTo(whole.error());
    }
  }

  private static void checkPacket(PacketCodec codec, byte[] input, int start, int end, Packet p)
      throws IOException {
    byte[] frame = Arrays.copyOfRange(input, start, end);
    byte[] encoded = PacketCodec.encode(p);
    assertThat(PacketCodec.frameLength(p)).isEqualTo(encoded.length);
    if (shortestForm(frame)) {
      assertThat(encoded).as("%s re-encoded", p).isEqualTo(frame);
    } else {
      assertThat(encoded.length).as("%s re-encoded", p).isLessThan(frame.length);
      assertThat(codec.decode(ByteBuffer.wrap(encoded))).isEqualTo(p);
    }
    ByteBuffer heap = ByteBuffer.allocate(encoded.length);
    PacketCodec.encode(p, heap);
    ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length);
    PacketCodec.encode(p, direct);
    assertThat(heap.flip()).isEqualTo(ByteBuffer.wrap(encoded));
    assertThat(direct.flip()).isEqualTo(ByteBuffer.wrap(encoded));

    RequestFrame f = new RequestFrame();
    ByteBuffer src = ByteBuffer.wrap(input);
    src.position(start);
    boolean described = codec.peekRequest(src, f);
    assertThat(src.position()).as("peekRequest consumes nothing").isEqualTo(start);
    assertThat(described).as("peekRequest of %s", p).isEqualTo(p.request() && !p.isControl());
    if (described) {
      assertThat(new long[] {f.channel(), f.tag(), f.flags(), f.rqType(), f.end()})
          .isEqualTo(new long[] {p.channel(), p.tag(), p.flags(), p.rqType(), end});
      assertThat(Arrays.copyOfRange(input, f.payloadStart(), f.end())).isEqualTo(p.payload());
    }
  }

  /**
   * Whether a whole frame is in the form a writer gives it: every integer (length prefix, tag, flag
   * word, channel and request type when the flag word says they are there) in its shortest form, a
   * first byte other than {@code 80}; and no channel 0 carried (a writer omits it, a reader takes
   * it: PROTOCOL.md, and the original's vector {@code channel_bit_set_channel_0}). The flag word's
   * two low bits are those of its last byte.
   */
  private static boolean shortestForm(byte[] frame) {
    int i = 0;
    int flagBits = 0;
    int integers = 3; // length, tag, flag word; then as the flag word says
    for (int n = 0; n < integers; n++) {
      if (frame[i] == (byte) 0x80 || (n == 3 && (flagBits & 1) != 0 && frame[i] == 0)) {
        return false;
      }
      while ((frame[i] & 0x80) != 0) {
        i++;
      }
      if (n == 2) {
        flagBits = frame[i] & 0x03;
        integers += Integer.bitCount(flagBits);
      }
      i++;
    }
    return true;
  }

  private static ByteBuffer direct(byte[] input) {
    ByteBuffer b = ByteBuffer.allocateDirect(input.length);
    b.put(input).flip();
    return b;
  }
}
