package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connecting on a closed event loop group fails at once and says why; it used to return a
 * connection already failed, whose first request said only that the connection had failed.
 */
@Timeout(60)
class ClosedGroupTest {

  @Test
  void connectingOnAClosedGroupSaysTheGroupIsClosed() throws Exception {
    EventLoopGroup group = EventLoopGroup.create("closed-group", 1);
    group.close();
    try (PacketServer server = PacketServer.builder(PacketConnection.builder()).bindLoopback(0)) {
      assertThatThrownBy(
              () ->
                  PacketClient.connect(
                      "127.0.0.1", server.port(), PacketConnection.builder().eventLoops(group)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("event loop group closed-group is closed: no connection can open on it");
    }
  }
}
