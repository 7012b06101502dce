package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.wire.BSUInt;
import io.packetstream.wire.Packet;
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
 * cannot flood its log. Likewise for silent peers closed by the idle timeout, at INFO.
 */
@Timeout(60)
class DroppedPeersLogTest {

  private static final int PEERS = 20;

  @Test
  void manyGarbagePeersMakeAtMostOneWarning() throws Exception {
    Logger connections = Logger.getLogger(PacketConnection.class.getName());
    java.util.logging.Level before = connections.getLevel();
    connections.setLevel(Level.ALL);
    PacketConnection.Builder echo =
        PacketConnection.builder().maxFrameLength(1000).handler(rq -> Response.ok(rq.payload()));
    try (LogCapture log = new LogCapture(PacketConnection.class, "garbage-server#");
        PacketServer server = PacketServer.builder(echo).name("garbage-server").bindLoopback(0)) {
      for (int i = 0; i < PEERS; i++) {
        try (RawPeer peer = new RawPeer(server.port())) {
          peer.sendBytes(BSUInt.encode(5000)); // a frame over the limit
          assertThat(peer.awaitEnd()).as("peer %d is disconnected", i + 1).isTrue();
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> failures(log).size() == PEERS);
      assertThat(failures(log))
          .allSatisfy(
              r ->
                  assertThat(r.getMessage())
                      .contains("receiving failed", "exceeds the limit of 1000 bytes"));
      List<LogRecord> warnings = log.atLeast(Level.WARNING);
      assertThat(warnings).as("warnings for %d garbage peers", PEERS).hasSizeLessThanOrEqualTo(1);
    } finally {
      connections.setLevel(before);
    }
  }

  @Test
  void manySilentPeersClosedByTheIdleTimeoutMakeAtMostOneInfoLine() throws Exception {
    Logger connections = Logger.getLogger(PacketConnection.class.getName());
    java.util.logging.Level before = connections.getLevel();
    connections.setLevel(Level.ALL);
    PacketConnection.Builder echo =
        PacketConnection.builder()
            .idleTimeout(Duration.ofMillis(200))
            .handler(rq -> Response.ok(rq.payload()));
    try (LogCapture log = new LogCapture(PacketConnection.class, "silent-server#");
        PacketServer server = PacketServer.builder(echo).name("silent-server").bindLoopback(0)) {
      List<RawPeer> peers = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          peers.add(new RawPeer(server.port()));
        }
        for (RawPeer peer : peers) {
          // the server closes gracefully: its EOF comes, then it waits for ours
          Packet p;
          do {
            p = peer.receive();
          } while (!p.isEof());
          peer.send(Packet.EOF);
        }
      } finally {
        for (RawPeer peer : peers) {
          peer.close();
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> idle(log).size() == 10);
      assertThat(log.atLeast(Level.INFO))
          .as("lines at INFO for 10 idle peers")
          .hasSizeLessThanOrEqualTo(1);
    } finally {
      connections.setLevel(before);
    }
  }

  private static List<LogRecord> idle(LogCapture log) {
    return log.records().stream()
        .filter(r -> r.getMessage().contains("idleTimeout=PT0.2S"))
        .toList();
  }

  /** The records that name a connection failed by garbage, one per connection at some level. */
  private static List<LogRecord> failures(LogCapture log) {
    return log.records().stream().filter(r -> r.getMessage().contains("receiving failed")).toList();
  }
}
