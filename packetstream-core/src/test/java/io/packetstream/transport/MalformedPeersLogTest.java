package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.wire.BSUInt;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that connect, send garbage and leave, one after another, each fail their connection; the
 * server names every one of them at DEBUG but warns at most once per window, so that such peers
 * cannot flood its log.
 */
@Timeout(60)
class MalformedPeersLogTest {

  private static final int PEERS = 20;

  @Test
  void manyGarbagePeersMakeAtMostOneWarning() throws Exception {
    Logger connections = Logger.getLogger(PacketConnection.class.getName());
    java.util.logging.Level before = connections.getLevel();
    connections.setLevel(Level.ALL);
    PacketConnection.Builder echo = PacketConnection.builder()
        .maxFrameLength(1000)
        .handler(rq -> Response.ok(rq.payload()));
    try (LogCapture log = new LogCapture(PacketConnection.class, "garbage-server#");
        PacketServer server = PacketServer.builder(echo).name("garbage-server").bindLoopback(0)) {
      for (int i = 0; i < PEERS; i++) {
        try (RawPeer peer = new RawPeer(server.port())) {
          peer.sendBytes(BSUInt.encode(5000)); // a frame over the limit
          assertThat(peer.awaitEnd()).as("peer %d is disconnected", i + 1).isTrue();
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> failures(log).size() == PEERS);
      assertThat(failures(log)).allSatisfy(r -> assertThat(r.getMessage())
          .contains("receiving failed", "exceeds the limit of 1000 bytes"));
      List<LogRecord> warnings = log.atLeast(Level.WARNING);
      assertThat(warnings).as("warnings for %d garbage peers", PEERS).hasSizeLessThanOrEqualTo(1);
    } finally {
      connections.setLevel(before);
    }
  }

  /** The records that name a connection failed by garbage, one per connection at some level. */
  private static List<LogRecord> failures(LogCapture log) {
    return log.records().stream().filter(r -> r.getMessage().contains("receiving failed")).toList();
  }
}
