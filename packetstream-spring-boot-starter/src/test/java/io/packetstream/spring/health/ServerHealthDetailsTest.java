package io.packetstream.spring.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's health says where it listens: a TCP address and port, or a socket's path. */
class ServerHealthDetailsTest {

  @Test
  void aUnixSocketServerShowsItsPathAndNoPort(@TempDir Path dir) {
    // it showed "port": -1 and nothing of where it listened
    Path socket = dir.resolve("health.sock");
    PacketStreamServer server =
        new PacketStreamServer(
            "uds", () -> PacketServer.builder(PacketConnection.builder()).bind(socket), e -> {});
    server.start();
    try {
      Map<String, Object> details = ConnectionHealth.of(server).getDetails();

      assertThat(details).containsEntry("address", socket.toString()).doesNotContainKey("port");
    } finally {
      server.stop();
    }
  }

  @Test
  void aTcpServerShowsItsAddressAndPort() {
    PacketStreamServer server =
        new PacketStreamServer(
            "tcp", () -> PacketServer.builder(PacketConnection.builder()).bindLoopback(0), e -> {});
    server.start();
    try {
      Map<String, Object> details = ConnectionHealth.of(server).getDetails();

      assertThat(details)
          .containsEntry("port", server.port())
          .containsEntry("address", "/127.0.0.1:" + server.port());
    } finally {
      server.stop();
    }
  }
}
