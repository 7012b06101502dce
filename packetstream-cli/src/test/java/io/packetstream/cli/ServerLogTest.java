package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The server's log lines, as java.util.logging writes them, counted by reason. */
class ServerLogTest {

  @Test
  void countsLinesAndTheConnectionsTheyName() {
    ServerLog log = new ServerLog();
    for (String line :
        new String[] {
          "rr-server listening on /127.0.0.1:9001",
          "Dec 06, 2026 10:54:48 AM io.packetstream.connection.PeerFaultLog ended",
          "WARNING: rr-server#15: receiving failed: io.packetstream.wire.CorruptedFrameException: "
              + "stream ends inside a frame, 1382 bytes into it (further connections failed on"
              + " malformed frames are counted and logged once per 30 s)",
          "WARNING: 41 more connections failed on malformed frames since the last such line; now"
              + " rr-server#99: receiving failed: x",
          "INFO: rr-server#7: read timed out: a frame begun 1316 ms ago is still incomplete"
              + " (readTimeout=PT1S) (further ...)",
          "INFO: rr-server#25: idle for 2325 ms (idleTimeout=PT2S): closing (further ...)",
          "WARNING: rr-server: refused 12 connections since the last report: 10 open (limit"
              + " maxConnections); reported once per 30 s at most",
          "SEVERE: something else",
          "FINE: rr-server#3: receiving failed: not counted below INFO",
          "Exception in thread \"x\" java.lang.OutOfMemoryError: Java heap space"
        }) {
      log.line(line);
    }
    assertThat(log.lines(ServerLog.Reason.malformed)).isEqualTo(2);
    assertThat(log.connections(ServerLog.Reason.malformed)).isEqualTo(43);
    assertThat(log.lines(ServerLog.Reason.read_timeout)).isEqualTo(1);
    assertThat(log.lines(ServerLog.Reason.idle)).isEqualTo(1);
    assertThat(log.connections(ServerLog.Reason.refused)).isEqualTo(12);
    assertThat(log.lines(ServerLog.Reason.other)).isEqualTo(1);
    assertThat(log.outOfMemory()).isEqualTo(1);
  }
}
