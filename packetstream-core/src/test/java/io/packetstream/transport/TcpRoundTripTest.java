package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpRoundTripTest {

  @Test
  void echoesOverLoopbackTcp() throws Exception {
    PacketConnection.Builder serving = PacketConnection.builder()
        .handler(rq -> Response.ok(rq.flags(), rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      Response r = client.call(0, 0, 7, "hello".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
      assertThat(r.ok()).isTrue();
      assertThat(r.flags()).isEqualTo(7);
      assertThat(r.text()).isEqualTo("hello");
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        all.add(client.submit(0, i, ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < 2000; i++) {
        Response ri = all.get(i).get(10, TimeUnit.SECONDS);
        assertThat(ri.text()).as(ri.toString()).isEqualTo("m" + i);
        assertThat(ri.flags()).isEqualTo(i);
        assertThat(ri.text()).isEqualTo("m" + i);
      }
    }
  }
}
