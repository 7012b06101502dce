package io.packetstream.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first example of docs/core.md (and of the README), as written there, with what a reader
 * expects it to print checked: if the API it shows changes, this fails to compile or to pass.
 */
class CoreGuideExampleTest {

  @Test
  @Timeout(30)
  void theGuidesEchoServerAnswersTheGuidesThreeRequests() throws Exception {
    // a server on 127.0.0.1 (port 0: the system picks one); every accepted peer gets a connection
    PacketServer server = PacketServer.builder(PacketConnection.builder()
            .handler(request -> Response.ok(request.flags(), request.payload())))   // echo
        .bindLoopback(0);

    try (PacketConnection conn = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      Response r = conn.call(0, 0, "hello".getBytes(UTF_8));             // blocking: type 0, flags 0
      CompletableFuture<Response> f = conn.submit(0, 0, new byte[0]);     // asynchronous
      CompletableFuture<String> s = conn.submit(0, 0, new byte[0],        // with a decoder
          (flags, payload) -> new String(payload, UTF_8));

      assertThat(r.ok()).isTrue();
      assertThat(new String(r.payload(), UTF_8)).isEqualTo("hello");
      assertThat(f.get(10, TimeUnit.SECONDS).ok()).isTrue();
      assertThat(s.get(10, TimeUnit.SECONDS)).isEmpty();
    }
    server.close();   // stops accepting, closes every connection gracefully
    assertThat(server.isListening()).isFalse();
  }
}
