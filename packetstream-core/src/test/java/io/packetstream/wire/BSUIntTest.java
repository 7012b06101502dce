package io.packetstream.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BSUIntTest {

  @Test
  void encodesEveryVectorOfTheOriginalInShortestForm() throws Exception {
    JsonNode vectors = SharedWire.json("vectors.json").get("bsuint");
    assertThat(vectors.size()).isGreaterThan(10);
    for (JsonNode v : vectors) {
      long value = v.get("value").longValue();
      byte[] expected = SharedWire.hex(v.get("hex"));
      assertThat(BSUInt.encode(value)).as("value %d", value).isEqualTo(expected);
      assertThat(BSUInt.size(value)).isEqualTo(expected.length);
      ByteBuffer buffer = ByteBuffer.allocate(16);
      BSUInt.write(buffer, value);
      assertThat(buffer.position()).isEqualTo(expected.length);
      assertThat(BSUInt.read(ByteBuffer.wrap(expected))).isEqualTo(value);
      assertThat(BSUInt.read(new ByteArrayInputStream(expected))).isEqualTo(value);
    }
  }

  @Test
  void decodesLikeTheOriginalParser() throws Exception {
    for (JsonNode v : SharedWire.json("vectors.json").get("bsuint_decodes")) {
      byte[] input = SharedWire.hex(v.get("input_hex"));
      String name = v.get("name").asString();
      if (v.has("error")) {
        assertThatThrownBy(() -> BSUInt.read(ByteBuffer.wrap(input)))
            .as(name)
            .isInstanceOf(EOFException.class);
      } else {
        ByteBuffer buffer = ByteBuffer.wrap(input);
        assertThat(BSUInt.read(buffer)).as(name).isEqualTo(v.get("value").longValue());
        assertThat(buffer.position()).as(name).isEqualTo(v.get("consumed").intValue());
      }
    }
  }

  @Test
  void refusesValuesBeyond63BitsThatTheOriginalWouldWrite() throws Exception {
    for (JsonNode v : SharedWire.json("vectors.json").get("bsuint_beyond_63_bits")) {
      byte[] input = SharedWire.hex(v.get("hex"));
      assertThatThrownBy(() -> BSUInt.read(ByteBuffer.wrap(input)))
          .isInstanceOf(MalformedFrameException.class)
          .hasMessageContaining("63 bits");
    }
  }

  @Test
  void acceptsRedundantLeadingBytesUpToTheBound() throws Exception {
    byte[] nine = HexFormat.of().parseHex("80808080808080808005");
    assertThat(BSUInt.read(ByteBuffer.wrap(nine))).isEqualTo(5);
    byte[] eleven = HexFormat.of().parseHex("8080808080808080808005");
    assertThatThrownBy(() -> BSUInt.read(ByteBuffer.wrap(eleven)))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("longer than 10 bytes");
  }

  @Test
  void readsTheLargest63BitValue() throws Exception {
    byte[] max = BSUInt.encode(Long.MAX_VALUE);
    assertThat(max).hasSize(9);
    assertThat(BSUInt.read(ByteBuffer.wrap(max))).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void refusesNegativeValues() {
    assertThatThrownBy(() -> BSUInt.encode(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
