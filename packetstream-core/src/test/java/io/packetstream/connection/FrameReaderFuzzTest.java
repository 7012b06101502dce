package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.packetstream.wire.CorruptedFrameException;
import io.packetstream.wire.MalformedFrameException;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.RequestFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Fuzz target of the {@link FrameReader}: any bytes, fed whole and in pieces split where the fuzzer
 * chooses, with the sink's three ways of taking packets.
 *
 * <p>Input: the byte stream, optionally followed by a trailer that says how to feed it: {@code
 * mode, n big-endian 16-bit split offsets, 0xA0 | n}. Without a last byte of the form {@code 0xA?}
 * (every recording) the whole input is the stream, fed in one piece. Mode bits: 1 the pieces are
 * direct buffers; 2 the sink stops after every packet and the reader is resumed; 4 the sink takes
 * request frames straight from the buffer ({@link FrameReader.Sink#request}).
 */
class FrameReaderFuzzTest {

  private static final PacketCodec CODEC = new PacketCodec();
  private static final long ALLOWANCE = 64;
  private static final int MIN_KEPT = 256;

  /** The packets a sink got, each with its frame's length on the wire. */
  private record Got(Packet packet, int frameBytes) {}

  /**
   * Fed in pieces, the reader hands on exactly the packets (and frame lengths) that decoding the
   * whole stream at once gives; it fails, at some point, with a {@link MalformedFrameException}
   * exactly when whole decoding does (or, for bytes left over, at the end of input, with a {@link
   * CorruptedFrameException}), never with anything else; after every piece it holds at most twice
   * the bytes fed so far (at least its minimum buffer), and charges its account exactly what it
   * holds beyond its allowance, all of which it gives back when released.
   */
  @FuzzTest
  void splitFeeding(byte[] input) throws IOException {
    byte[] stream = input;
    int mode = 0;
    int[] cuts = {};
    int last = input.length - 1;
    if (last >= 0 && (input[last] & 0xf0) == 0xa0) {
      int n = input[last] & 0x0f;
      int trailer = 2 + 2 * n;
      if (input.length >= trailer) {
        stream = Arrays.copyOf(input, input.length - trailer);
        mode = input[input.length - trailer] & 0x07;
        TreeSet<Integer> at = new TreeSet<>();
        for (int i = 0; i < n; i++) {
          int p = input.length - trailer + 1 + 2 * i;
          int offset = ((input[p] & 0xff) << 8) | (input[p + 1] & 0xff);
          at.add(offset % (stream.length + 1));
        }
        cuts = at.stream().mapToInt(Integer::intValue).toArray();
      }
    }

    List<Got> expected = new ArrayList<>();
    Class<?> expectedError = null;
    ByteBuffer whole = ByteBuffer.wrap(stream);
    try {
      int start = 0;
      Packet p;
      while ((p = CODEC.decode(whole)) != null) {
        expected.add(new Got(p, whole.position() - start));
        start = whole.position();
      }
    } catch (MalformedFrameException e) {
      expectedError = e.getClass();
    }
    boolean leftOver = expectedError == null && whole.hasRemaining();

    boolean direct = (mode & 1) != 0;
    boolean stops = (mode & 2) != 0;
    boolean frames = (mode & 4) != 0;
    List<Got> got = new ArrayList<>();
    FrameReader.Sink sink =
        new FrameReader.Sink() {
          @Override
          public boolean wantsFrames() {
            return frames;
          }

          @Override
          public boolean request(ByteBuffer buffer, RequestFrame frame) {
            byte[] payload = new byte[frame.end() - frame.payloadStart()];
            buffer.get(frame.payloadStart(), payload);
            got.add(
                new Got(
                    Packet.request(
                        frame.channel(), frame.tag(), frame.flags(), frame.rqType(), payload),
                    frame.end() - buffer.position()));
            return true;
          }

          @Override
          public boolean packet(Packet packet, int frameBytes) {
            got.add(new Got(packet, frameBytes));
            return !stops;
          }
        };
    InboundAccount account = new InboundAccount(new InboundBudget(Long.MAX_VALUE), ALLOWANCE);
    FrameReader reader = new FrameReader(CODEC, sink, account, ALLOWANCE);
    MalformedFrameException error = null;
    long fed = 0;
    try {
      int from = 0;
      for (int i = 0; i <= cuts.length; i++) {
        int to = i < cuts.length ? cuts[i] : stream.length;
        if (to == from) {
          continue;
        }
        ByteBuffer piece =
            direct ? ByteBuffer.allocateDirect(to - from) : ByteBuffer.allocate(to - from);
        piece.put(stream, from, to - from).flip();
        fed += to - from;
        boolean more = reader.feed(piece);
        assertThat(piece.hasRemaining()).as("the reader takes every byte fed").isFalse();
        for (int resumes = 0; !more; resumes++) {
          assertThat(resumes)
              .as("resumed more often than there are bytes")
              .isLessThanOrEqualTo(stream.length);
          more = reader.resume();
        }
        assertThat((long) reader.keptCapacity())
            .as("kept after %d bytes fed", fed)
            .isLessThanOrEqualTo(Math.max(MIN_KEPT, 2 * fed));
        assertThat(account.held())
            .as("charged")
            .isEqualTo(Math.max(0, reader.keptCapacity() - ALLOWANCE));
        from = to;
      }
      reader.endOfInput();
    } catch (MalformedFrameException e) {
      error = e;
    }

    assertThat(got)
        .as("packets fed in pieces at %s, mode %d", Arrays.toString(cuts), mode)
        .isEqualTo(expected);
    if (expectedError != null) {
      assertThat(error).as("whole decoding failed with %s", expectedError).isNotNull();
    } else if (leftOver) {
      assertThat(error)
          .as("the stream ends inside a frame")
          .isInstanceOf(CorruptedFrameException.class);
    } else {
      assertThat(error).as("the stream ends on a frame boundary").isNull();
      assertThat(reader.holdsBytes()).isFalse();
    }
    reader.release();
    assertThat(reader.keptCapacity()).isZero();
    assertThat(account.held()).as("charge given back").isZero();
  }
}
