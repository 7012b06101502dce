package io.packetstream.wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the recordings and vectors that the original implementation produced, in ../shared/wire. */
public final class SharedWire {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private SharedWire() {}

  /** The folder of recordings; the build passes it as {@code packetstream.shared.dir}. */
  public static Path dir() {
    String shared = System.getProperty("packetstream.shared.dir", "../../shared");
    Path wire = Paths.get(shared, "wire").toAbsolutePath().normalize();
    if (!Files.isDirectory(wire)) {
      throw new IllegalStateException("recordings not found at " + wire
          + ": the repository expects ../shared beside its checkout");
    }
    return wire;
  }

  public static JsonNode json(String file) throws IOException {
    return JSON.readTree(dir().resolve(file).toFile());
  }

  public static byte[] bytes(String file) throws IOException {
    return Files.readAllBytes(dir().resolve(file));
  }

  public static byte[] hex(JsonNode node) {
    return HexFormat.of().parseHex(node.asString());
  }

  /** A packet as the recordings describe it: flags as carried, rq_type as on the wire. */
  public static Packet packet(JsonNode p) {
    boolean request = p.get("is_request").asBoolean();
    long rqType = request ? p.get("rq_type").longValue() - 1 : Packet.NO_RQ_TYPE;
    return new Packet(p.get("channel").longValue(), p.get("tag").longValue(),
        p.get("flags").longValue(), request, rqType, hex(p.get("payload_hex")));
  }
}
