package io.packetstream.wire;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the recordings and vectors that the original implementation produced. They are test
 * resources of packetstream-core ({@code src/test/resources/wire}), byte-for-byte copies of {@code
 * ../shared/wire} (.ci/wire-copy.sh checks that the two do not differ), so the tests need nothing
 * outside the checkout; other modules get them from the core test-jar.
 */
public final class SharedWire {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String FOLDER = "wire/";

  private SharedWire() {}

  /** The folder of recordings, for listing it; there is one while the test classes are a folder. */
  public static Path dir() {
    URL url = resource("vectors.json");
    if (!url.getProtocol().equals("file")) {
      throw new IllegalStateException("cannot list the recordings inside " + url);
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(String file) throws IOException {
    try (InputStream in = resource(file).openStream()) {
      return JSON.readTree(in);
    }
  }

  public static byte[] bytes(String file) throws IOException {
    try (InputStream in = resource(file).openStream()) {
      return in.readAllBytes();
    }
  }

  private static URL resource(String file) {
    URL url = SharedWire.class.getClassLoader().getResource(FOLDER + file);
    if (url == null) {
      throw new IllegalStateException(
          "no recording "
              + FOLDER
              + file
              + " on the class path (packetstream-core's src/test/resources/wire)");
    }
    return url;
  }

  public static byte[] hex(JsonNode node) {
    return HexFormat.of().parseHex(node.asString());
  }

  /** A packet as the recordings describe it: flags as carried, rq_type as on the wire. */
  public static Packet packet(JsonNode p) {
    boolean request = p.get("is_request").asBoolean();
    long rqType = request ? p.get("rq_type").longValue() - 1 : Packet.NO_RQ_TYPE;
    return new Packet(
        p.get("channel").longValue(),
        p.get("tag").longValue(),
        p.get("flags").longValue(),
        request,
        rqType,
        hex(p.get("payload_hex")));
  }
}
