package io.packetstream.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PacketCodecTest {

  private final PacketCodec codec = new PacketCodec();

  @Test
  void encodesResponsesWithoutAPacketExactlyAsWithOne() {
    long[][] cases = {{0, 2, 1, 0}, {0, 300, 0, 5}, {7, 1L << 40, 1, Packet.MAX_RESULT_FLAGS}};
    for (long[] c : cases) {
      byte[] payload = new byte[(int) (c[1] % 200)];
      for (int i = 0; i < payload.length; i++) {
        payload[i] = (byte) (i * 7);
      }
      boolean ok = c[2] == 1;
      ByteBuffer dst = ByteBuffer.allocate(1024);
      int length = PacketCodec.encodeResponse(c[0], c[1], ok, c[3], ByteBuffer.wrap(payload), dst);
      byte[] expected = PacketCodec.encode(Packet.response(c[0], c[1], ok, c[3], payload));
      assertThat(length).isEqualTo(expected.length);
      assertThat(java.util.Arrays.copyOf(dst.array(), dst.position())).isEqualTo(expected);
    }
    ByteBuffer small = ByteBuffer.allocate(3);
    assertThatThrownBy(
            () -> PacketCodec.encodeResponse(0, 2, true, 0, ByteBuffer.wrap(new byte[8]), small))
        .isInstanceOf(java.nio.BufferOverflowException.class);
    assertThat(small.position()).as("nothing written").isZero();
    assertThatThrownBy(
            () -> PacketCodec.encodeResponse(0, 2, true, -1, ByteBuffer.allocate(0), small))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void peeksAtWholeRequestsOnlyAndConsumesNothing() throws Exception {
    PacketCodec codec = new PacketCodec(1024);
    Packet request = new Packet(3, 9, 77, true, 12, new byte[] {1, 2, 3});
    byte[] frame = PacketCodec.encode(request);
    ByteBuffer buffer = ByteBuffer.allocate(64);
    buffer.put((byte) 0x55).put(frame).flip();
    buffer.get(); // the frame starts past position 0
    RequestFrame view = new RequestFrame();
    assertThat(codec.peekRequest(buffer, view)).isTrue();
    assertThat(buffer.position()).isEqualTo(1);
    assertThat(new long[] {view.channel(), view.tag(), view.flags(), view.rqType()})
        .containsExactly(3, 9, 77, 12);
    assertThat(view.end()).isEqualTo(1 + frame.length);
    assertThat(view.end() - view.payloadStart()).isEqualTo(3);
    assertThat(buffer.get(view.payloadStart())).isEqualTo((byte) 1);

    RequestFrame untouched = new RequestFrame();
    for (Packet other :
        List.of(Packet.EOF, Packet.ERQ, Packet.response(0, 2, true, 0, new byte[2]))) {
      assertThat(codec.peekRequest(ByteBuffer.wrap(PacketCodec.encode(other)), untouched))
          .isFalse();
    }
    ByteBuffer cut = ByteBuffer.wrap(frame, 0, frame.length - 1);
    assertThat(codec.peekRequest(cut, untouched)).isFalse();
    assertThat(cut.position()).isZero();
    assertThat(untouched.end()).isZero();
    ByteBuffer oversized = ByteBuffer.wrap(new byte[] {(byte) 0x89, 0, 0}); // 1152
    assertThatThrownBy(() -> codec.peekRequest(oversized, untouched))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("exceeds the limit of 1024");
  }

  @Test
  void encodesEveryPacketVectorToTheOriginalsBytes() throws Exception {
    JsonNode vectors = SharedWire.json("vectors.json").get("packets");
    assertThat(vectors.size()).isGreaterThan(30);
    for (JsonNode v : vectors) {
      Packet p = SharedWire.packet(v);
      byte[] expected = SharedWire.hex(v.get("encoded_hex"));
      String name = v.get("name").asString();
      assertThat(PacketCodec.encode(p)).as(name).isEqualTo(expected);
      assertThat(PacketCodec.frameLength(p)).as(name).isEqualTo(expected.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PacketCodec.write(p, out);
      assertThat(out.toByteArray()).as(name).isEqualTo(expected);
      assertThat(decodeWhole(expected)).as(name).containsExactly(p);
      assertThat(decodeByteByByte(expected)).as(name).containsExactly(p);
      assertThat(codec.read(new ByteArrayInputStream(expected))).as(name).isEqualTo(p);
    }
  }

  @Test
  void recognisesTheControlPackets() throws Exception {
    assertThat(PacketCodec.encode(Packet.EOF)).isEqualTo(HexFormat.of().parseHex("03000200"));
    assertThat(PacketCodec.encode(Packet.ERQ)).isEqualTo(HexFormat.of().parseHex("03010200"));
    assertThat(Packet.EOF.isEof()).isTrue();
    assertThat(Packet.ERQ.isErq()).isTrue();
    Packet rqType0Tag5 = decodeWhole(HexFormat.of().parseHex("03050200")).get(0);
    assertThat(rqType0Tag5.isControl()).isTrue();
    assertThat(rqType0Tag5.isEof() || rqType0Tag5.isErq()).isFalse();
  }

  @Test
  void decodesUnusualInputsAsTheOriginalParserDid() throws Exception {
    for (JsonNode v : SharedWire.json("vectors.json").get("packet_decodes")) {
      byte[] input = SharedWire.hex(v.get("input_hex"));
      String name = v.get("name").asString();
      if (v.has("error")) {
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(input)))
            .as(name)
            .isInstanceOf(MalformedFrameException.class);
        if (name.equals("frame_truncated")) {
          assertThat(codec.decode(ByteBuffer.wrap(input))).as("incomplete, not an error").isNull();
        } else {
          assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(input)))
              .as(name)
              .isInstanceOf(MalformedFrameException.class)
              .hasMessageContaining("ends inside its fields");
        }
        continue;
      }
      ByteBuffer buffer = ByteBuffer.wrap(input);
      Packet p = codec.decode(buffer);
      assertThat(buffer.position()).as(name).isEqualTo(v.get("consumed").intValue());
      Packet expected = SharedWire.packet(v);
      assertThat(p).as(name).isEqualTo(expected);
      assertThat(PacketCodec.encode(p)).as(name).isEqualTo(SharedWire.hex(v.get("reencoded_hex")));
    }
  }

  @Test
  void rejectsAnOversizedLengthBeforeAllocating() {
    PacketCodec small = new PacketCodec(1000);
    byte[] huge = HexFormat.of().parseHex("ffffffffffffff7f"); // about 2^56 bytes announced
    assertThatThrownBy(() -> small.decode(ByteBuffer.wrap(huge)))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("exceeds the limit of 1000 bytes");
    assertThatThrownBy(() -> small.read(new ByteArrayInputStream(huge)))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("exceeds the limit of 1000 bytes");
    byte[] justOver = BSUInt.encode(1001);
    assertThatThrownBy(() -> small.decode(ByteBuffer.wrap(justOver)))
        .hasMessageContaining("frame length 1001");
  }

  @Test
  void refusesALimitSoHighThatAWholeFrameLengthWouldOverflow() throws Exception {
    assertThatThrownBy(() -> new PacketCodec(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxFrameLength " + Integer.MAX_VALUE)
        .hasMessageContaining("LARGEST_MAX_FRAME_LENGTH");
    assertThatThrownBy(() -> new PacketCodec(1)).isInstanceOf(IllegalArgumentException.class);
    PacketCodec largest = new PacketCodec(PacketCodec.LARGEST_MAX_FRAME_LENGTH);
    byte[] prefix = BSUInt.encode(PacketCodec.LARGEST_MAX_FRAME_LENGTH);
    assertThat(largest.peekFrameLength(ByteBuffer.wrap(prefix)))
        .isEqualTo(prefix.length + PacketCodec.LARGEST_MAX_FRAME_LENGTH)
        .isPositive();
  }

  @Test
  void acceptsAFrameExactlyAtTheLimit() throws Exception {
    Packet p = Packet.request(0, 2, 0, 0, new byte[997]);
    assertThat(PacketCodec.bodyLength(p)).isEqualTo(1000);
    assertThat(new PacketCodec(1000).decode(ByteBuffer.wrap(PacketCodec.encode(p)))).isEqualTo(p);
  }

  @Test
  void reportsAStreamThatEndsInsideAFrame() {
    byte[] frame = PacketCodec.encode(Packet.request(0, 2, 0, 0, new byte[50]));
    for (int cut = 1; cut < frame.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(frame, cut);
      assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(part)))
          .as("cut at %d", cut)
          .isInstanceOf(MalformedFrameException.class)
          .hasMessageContaining("stream ends inside a frame");
    }
  }

  @Test
  void returnsNullAtACleanEndOfStream() throws Exception {
    assertThat(codec.read(new ByteArrayInputStream(new byte[0]))).isNull();
  }

  @Test
  void keepsLargePayloadsIntact() throws Exception {
    byte[] payload = new byte[4 * 1024 * 1024 + 3];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i % 251);
    }
    Packet p = Packet.response(7, 1L << 40, true, 12345, payload);
    byte[] frame = PacketCodec.encode(p);
    assertThat(decodeWhole(frame)).containsExactly(p);
    assertThat(codec.read(new ByteArrayInputStream(frame))).isEqualTo(p);
  }

  @Test
  void refusesFieldsTheWireCannotCarry() {
    assertThatThrownBy(() -> Packet.request(0, 1, Packet.MAX_FLAGS + 1, 0, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Packet.response(0, 1, true, Packet.MAX_RESULT_FLAGS + 1, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Packet.request(-1, 1, 0, 0, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private List<Packet> decodeWhole(byte[] bytes) throws Exception {
    List<Packet> packets = new ArrayList<>();
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Packet p;
    while ((p = codec.decode(buffer)) != null) {
      packets.add(p);
    }
    assertThat(buffer.hasRemaining()).as("undecoded tail").isFalse();
    return packets;
  }

  /** Feeds the decoder one byte at a time, as a slow network would. */
  private List<Packet> decodeByteByByte(byte[] bytes) throws Exception {
    List<Packet> packets = new ArrayList<>();
    ByteBuffer buffer = ByteBuffer.allocate(bytes.length);
    for (byte b : bytes) {
      buffer.put(b);
      buffer.flip();
      Packet p;
      while ((p = codec.decode(buffer)) != null) {
        packets.add(p);
      }
      buffer.compact();
    }
    assertThat(buffer.position()).as("undecoded tail").isZero();
    return packets;
  }
}
