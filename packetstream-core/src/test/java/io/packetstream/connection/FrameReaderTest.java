package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.wire.CorruptedFrameException;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.SharedWire;
import io.packetstream.wire.TooLongFrameException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reader on its own, fed byte arrays: no threads, no sockets. */
class FrameReaderTest {

  private static final PacketCodec CODEC = new PacketCodec();

  /** Every byte stream the original recorded. */
  static Stream<Path> recordings() throws IOException {
    try (Stream<Path> files = Files.list(SharedWire.dir())) {
      List<Path> bins = files.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
      assertThat(bins).isNotEmpty();
      return bins.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("recordings")
  void decodesEveryRecordingWholeByteByByteAndInRandomPieces(Path recording) throws IOException {
    byte[] bytes = Files.readAllBytes(recording);
    List<Packet> expected = decodeWhole(bytes);
    assertThat(expected).as("packets in " + recording.getFileName()).isNotEmpty();

    assertThat(feed(bytes, new int[] {bytes.length}, false)).isEqualTo(expected);
    assertThat(feed(bytes, ones(bytes.length), false)).isEqualTo(expected);
    assertThat(feed(bytes, ones(bytes.length), true)).isEqualTo(expected);
    for (long seed = 1; seed <= 50; seed++) {
      int[] pieces = randomPieces(bytes.length, new Random(seed));
      assertThat(feed(bytes, pieces, seed % 2 == 0))
          .as(
              "%s split %s (seed %d)",
              recording.getFileName(), java.util.Arrays.toString(pieces), seed)
          .isEqualTo(expected);
    }
  }

  @Test
  void keepsNoMoreThanTwiceTheBytesThatArrivedOfAnAnnouncedHugeFrame() throws IOException {
    InboundAccount account = new InboundAccount(new InboundBudget(Long.MAX_VALUE), 0);
    List<Packet> got = new ArrayList<>();
    FrameReader reader = new FrameReader(CODEC, collect(got), account, 0);
    byte[] prefix = new byte[8];
    ByteBuffer b = ByteBuffer.wrap(prefix);
    io.packetstream.wire.BSUInt.write(b, PacketCodec.DEFAULT_MAX_FRAME_LENGTH - 16);
    reader.feed(ByteBuffer.wrap(prefix, 0, b.position()));
    int arrived = b.position();
    assertThat(reader.keptCapacity()).as("after the length prefix alone").isLessThanOrEqualTo(256);
    for (int i = 0; i < 1000; i++) {
      reader.feed(ByteBuffer.wrap(new byte[100]));
      arrived += 100;
      assertThat(reader.keptCapacity()).isBetween(arrived, Math.max(256, 2 * arrived));
      assertThat(account.held())
          .as("what the reader holds is charged")
          .isEqualTo(reader.keptCapacity());
    }
    assertThat(got).isEmpty();
    reader.release();
    assertThat(account.held()).isZero();
  }

  @Test
  void dropsItsBufferOnceTheFrameIsWholeAndGivesBackTheCharge() throws IOException {
    InboundAccount account = new InboundAccount(new InboundBudget(Long.MAX_VALUE), 64);
    List<Packet> got = new ArrayList<>();
    FrameReader reader = new FrameReader(CODEC, collect(got), account, 64);
    byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 1, new byte[10_000]));
    reader.feed(ByteBuffer.wrap(frame, 0, 5000));
    assertThat(account.held()).isEqualTo(reader.keptCapacity() - 64);
    reader.feed(ByteBuffer.wrap(frame, 5000, frame.length - 5000));
    assertThat(got).hasSize(1);
    assertThat(reader.holdsBytes()).isFalse();
    assertThat(reader.keptCapacity()).isZero();
    assertThat(account.held()).isZero();
  }

  @Test
  void reusesItsSmallBufferForFramesSplitAcrossReadsAndDropsItWhenShrunk() throws IOException {
    List<Packet> got = new ArrayList<>();
    FrameReader reader =
        new FrameReader(CODEC, collect(got), InboundAccount.unlimited(), 64 * 1024);
    byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 1, new byte[4096]));
    reader.feed(ByteBuffer.wrap(frame, 0, 1000));
    int capacity = 0;
    for (int i = 0; i < 100; i++) {
      // the rest of this frame and the start of the next, as a stream read in pieces comes
      ByteBuffer piece = ByteBuffer.allocate(frame.length);
      piece.put(frame, 1000, frame.length - 1000).put(frame, 0, 1000).flip();
      reader.feed(piece);
      if (i == 0) {
        capacity = reader.keptCapacity(); // grown once to hold a whole frame
        assertThat(capacity).isPositive();
      }
      assertThat(reader.keptCapacity()).as("the same buffer, read after read").isEqualTo(capacity);
    }
    assertThat(got).hasSize(100);
    reader.feed(ByteBuffer.wrap(frame, 1000, frame.length - 1000));
    assertThat(reader.holdsBytes()).isFalse();
    assertThat(reader.keptCapacity()).as("kept for the next partial frame").isEqualTo(capacity);
    reader.shrink();
    assertThat(reader.keptCapacity()).isZero();
  }

  @Test
  void keepsWhatFollowsWhenTheSinkStopsAndHandsItOnWhenResumed() throws IOException {
    List<Packet> got = new ArrayList<>();
    boolean[] stop = {true};
    FrameReader reader =
        new FrameReader(
            CODEC,
            (packet, size) -> {
              got.add(packet);
              return !stop[0];
            },
            InboundAccount.unlimited(),
            64);
    ByteBuffer two = ByteBuffer.allocate(64);
    two.put(PacketCodec.encode(Packet.request(0, 2, 0, 1, new byte[] {1})));
    two.put(PacketCodec.encode(Packet.request(0, 3, 0, 1, new byte[] {2})));
    two.flip();
    assertThat(reader.feed(two)).isFalse();
    assertThat(got).hasSize(1);
    assertThat(reader.holdsBytes()).isTrue();
    stop[0] = false;
    assertThat(reader.resume()).isTrue();
    assertThat(got).extracting(Packet::tag).containsExactly(2L, 3L);
    assertThat(reader.holdsBytes()).isFalse();
  }

  @Test
  void refusesAnOverlongFrameFromItsPrefixAndATruncatedStreamAtItsEnd() throws IOException {
    FrameReader small =
        new FrameReader(
            new PacketCodec(100), collect(new ArrayList<>()), InboundAccount.unlimited(), 64);
    assertThatThrownBy(() -> small.feed(ByteBuffer.wrap(new byte[] {(byte) 0x81, 0x00})))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining("limit of 100");

    FrameReader reader =
        new FrameReader(CODEC, collect(new ArrayList<>()), InboundAccount.unlimited(), 64);
    byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 1, new byte[10]));
    reader.feed(ByteBuffer.wrap(frame, 0, 7));
    assertThatThrownBy(reader::endOfInput)
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessageContaining("inside a frame");
  }

  private static List<Packet> decodeWhole(byte[] bytes) throws IOException {
    List<Packet> all = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    Packet p;
    while ((p = CODEC.decode(b)) != null) {
      all.add(p);
    }
    assertThat(b.hasRemaining()).as("a recording ends on a frame boundary").isFalse();
    return all;
  }

  private static List<Packet> feed(byte[] bytes, int[] pieces, boolean direct) throws IOException {
    List<Packet> got = new ArrayList<>();
    FrameReader reader = new FrameReader(CODEC, collect(got), InboundAccount.unlimited(), 64);
    int at = 0;
    for (int n : pieces) {
      ByteBuffer piece = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
      piece.put(bytes, at, n).flip();
      at += n;
      assertThat(reader.feed(piece)).isTrue();
      assertThat(piece.hasRemaining()).as("the reader takes every byte fed").isFalse();
    }
    reader.endOfInput();
    return got;
  }

  private static FrameReader.Sink collect(List<Packet> into) {
    return (packet, size) -> {
      assertThat(size).isEqualTo(PacketCodec.frameLength(packet));
      into.add(packet);
      return true;
    };
  }

  private static int[] ones(int n) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  private static int[] randomPieces(int total, Random random) {
    List<Integer> pieces = new ArrayList<>();
    int left = total;
    while (left > 0) {
      int n = 1 + random.nextInt(Math.min(left, 1 + random.nextInt(64)));
      pieces.add(n);
      left -= n;
    }
    return pieces.stream().mapToInt(Integer::intValue).toArray();
  }
}
