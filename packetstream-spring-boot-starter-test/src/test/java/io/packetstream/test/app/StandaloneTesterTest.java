package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.app.Orders.Order;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The tester without Spring, against a core server on 127.0.0.1. */
class StandaloneTesterTest {

  private final JacksonPayloadCodec codec = new JacksonPayloadCodec(JsonMapper.builder().build());

  @Test
  void talksToAnyServer() throws Exception {
    PacketServer server = PacketServer.builder(PacketConnection.builder().handler(rq ->
        rq.rqType() == 1
            ? Response.ok(rq.flags(), ("got " + rq.text()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            : Response.failure("unknown type " + rq.rqType())))
        .bindLoopback(0);
    try (PacketStreamTester tester = PacketStreamTester.connect("127.0.0.1", server.port(), codec)) {
      tester.request(1).payload(new Order("pen", 1)).flags(5).exchange().assertOk().assertFlags(5)
          .assertPayload("got {\"item\":\"pen\",\"quantity\":1}");
      tester.request(2).exchange().assertNotOk().assertPayload("unknown type 2");
    } finally {
      server.close();
    }
  }

  @Test
  void withoutACodecItSendsBytesAndTextOnly() throws Exception {
    PacketServer server = PacketServer.builder(PacketConnection.builder()
        .handler(rq -> Response.ok(rq.payload()))).bindLoopback(0);
    try (PacketStreamTester tester = PacketStreamTester.connect("127.0.0.1", server.port(), null)) {
      assertThat(tester.request(1).payload(new byte[] {1, 2}).exchange().payloadBytes())
          .containsExactly(1, 2);
      assertThatThrownBy(() -> tester.request(1).payload(new Order("pen", 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no PayloadCodec to encode a " + Order.class.getName());
    } finally {
      server.close();
    }
  }

  @Test
  void aServerThatIsNotThereIsAnIoException() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    assertThatThrownBy(() -> PacketStreamTester.connect("127.0.0.1", port, codec))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theServerClosingTheConnectionEndsAnAwaitAtOnce() throws Exception {
    PacketServer server = PacketServer.builder(PacketConnection.builder()
        .handler(rq -> Response.empty())).bindLoopback(0);
    try (PacketStreamTester tester = PacketStreamTester.connect("127.0.0.1", server.port(), codec)) {
      tester.connection();
      server.close();
      assertThatThrownBy(() -> tester.awaitRequest(100, Duration.ofSeconds(30)))
          .isInstanceOf(AssertionError.class)
          .hasMessageStartingWith("expected a request of type 100 from the server but the connection ended");
      assertThatThrownBy(() -> tester.request(1).exchange())
          .isInstanceOf(AssertionError.class)
          .hasMessageStartingWith("request type 1 (channel 0, flags 0, payload (empty)): the connection"
              + " ended before the answer: ");
    }
  }
}
