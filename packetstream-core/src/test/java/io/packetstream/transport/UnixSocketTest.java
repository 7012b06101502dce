package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ServerSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class UnixSocketTest {

  @Test
  void servesRequestsOverAUnixDomainSocket(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("ps.sock");
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder().handler(rq -> Response.ok(rq.flags(), rq.payload())))
            .bind(path);
    try (PacketConnection client = PacketClient.connect(path, PacketConnection.builder())) {
      assertThat(server.port()).isEqualTo(-1);
      assertThat(server.unixSocketPath()).contains(path);
      for (int i = 0; i < 100; i++) {
        Response r = client.call(0, 0, i, new byte[i * 100], Duration.ofSeconds(10));
        assertThat(r).isEqualTo(new Response(true, i, new byte[i * 100]));
      }
    } finally {
      server.close();
    }
    assertThat(Files.exists(path)).as("socket file removed").isFalse();
    assertThat(server.isListening()).isFalse();
  }

  @Test
  void refusesASocketFactoryItCannotUse(@TempDir Path dir) {
    // a TLS server socket factory over a Unix socket used to be dropped without a word: plaintext
    PacketServer.Builder builder =
        PacketServer.builder(PacketConnection.builder())
            .socketFactory(ServerSocketFactory.getDefault());
    assertThatThrownBy(() -> builder.bind(dir.resolve("ps.sock")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("socketFactory")
        .hasMessageContaining("Unix domain socket");
    assertThat(Files.exists(dir.resolve("ps.sock"))).isFalse();
  }
}
