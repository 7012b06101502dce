package io.packetstream.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every recorded conversation decodes to the original's packets and re-encodes to its bytes. */
class RecordedConversationTest {

  static Stream<String> directions() throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<java.nio.file.Path> s = Files.list(SharedWire.dir())) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".bin"))
          .sorted()
          .forEach(files::add);
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(18);
    return files.stream();
  }

  @ParameterizedTest
  @MethodSource("directions")
  void decodesAndReencodesToTheSameBytes(String file) throws Exception {
    byte[] bytes = SharedWire.bytes(file);
    String scenario = file.substring(0, file.indexOf('.'));
    JsonNode json = SharedWire.json(scenario + ".json");
    JsonNode direction = json.get(file.contains(".c2s.") ? "client_to_server" : "server_to_client");
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(direction.get("sha256").asString());

    PacketCodec codec = new PacketCodec();
    List<Packet> fromBuffer = new ArrayList<>();
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Packet p;
    while ((p = codec.decode(buffer)) != null) {
      fromBuffer.add(p);
    }
    assertThat(buffer.hasRemaining()).isFalse();

    List<Packet> fromStream = new ArrayList<>();
    InputStream in = new ByteArrayInputStream(bytes);
    while ((p = codec.read(in)) != null) {
      fromStream.add(p);
    }

    JsonNode recorded = direction.get("packets");
    assertThat(fromBuffer).hasSize(recorded.size());
    assertThat(fromStream).isEqualTo(fromBuffer);
    for (int i = 0; i < recorded.size(); i++) {
      JsonNode r = recorded.get(i);
      Packet expected = SharedWire.packet(r);
      assertThat(fromBuffer.get(i)).as("%s packet %d", file, i).isEqualTo(expected);
      int offset = r.get("offset").intValue();
      int length = r.get("length").intValue();
      byte[] original = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
      assertThat(PacketCodec.encode(fromBuffer.get(i)))
          .as("%s packet %d", file, i)
          .isEqualTo(original);
    }
    assertThat(fromBuffer.get(fromBuffer.size() - 1).isEof()).as("ends with EOF").isTrue();
  }
}
