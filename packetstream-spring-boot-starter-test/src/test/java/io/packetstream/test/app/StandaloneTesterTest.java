package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.app.Orders.Order;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The tester without Spring, against a core server on 127.0.0.1. */
class StandaloneTesterTest {

  private final JacksonPayloadCodec codec = new JacksonPayloadCodec(JsonMapper.builder().build());

  @Test
  void talksToAnyServer() throws Exception {
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq ->
                            rq.rqType() == 1
                                ? Response.ok(
                                    rq.flags(),
                                    ("got " + rq.text())
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                : Response.failure("unknown type " + rq.rqType())))
            .bindLoopback(0);
    try (PacketStreamTester tester =
        PacketStreamTester.connect("127.0.0.1", server.port(), codec)) {
      tester
          .request(1)
          .payload(new Order("pen", 1))
          .flags(5)
          .exchange()
          .assertOk()
          .assertFlags(5)
          .assertPayload("got {\"item\":\"pen\",\"quantity\":1}");
      tester.request(2).exchange().assertNotOk().assertPayload("unknown type 2");
    } finally {
      server.close();
    }
  }

  @Test
  void withoutACodecItSendsBytesAndTextOnly() throws Exception {
    PacketServer server =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok(rq.payload())))
            .bindLoopback(0);
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
    PacketServer server =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.empty()))
            .bindLoopback(0);
    try (PacketStreamTester tester =
        PacketStreamTester.connect("127.0.0.1", server.port(), codec)) {
      tester.connection();
      server.close();
      assertThatThrownBy(() -> tester.awaitRequest(100, Duration.ofSeconds(30)))
          .isInstanceOf(AssertionError.class)
          .hasMessageStartingWith(
              "expected a request of type 100 from the server but the connection ended");
      assertThatThrownBy(() -> tester.request(1).exchange())
          .isInstanceOf(AssertionError.class)
          .hasMessageStartingWith(
              "request type 1 (channel 0, flags 0, payload (empty)): the connection"
                  + " ended before the answer: ");
    }
  }

  @Test
  void keepsABoundedNumberOfUntakenRequestsAndSaysSoWhenItRefusesMore() throws Exception {
    int sent = PacketStreamTester.MAX_KEPT_REQUESTS + 1;
    // the server calls its peer back once per kept place and once more, then says how many
    // of those calls were refused and what the last refusal said
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          List<CompletableFuture<Response>> calls = new ArrayList<>();
                          for (int i = 0; i < sent; i++) {
                            calls.add(rq.connection().submit(100, 0, new byte[0]));
                          }
                          int refused = 0;
                          String last = "";
                          for (CompletableFuture<Response> call : calls) {
                            Response r = call.get(10, TimeUnit.SECONDS);
                            if (!r.ok()) {
                              refused++;
                              last = r.text();
                            }
                          }
                          return Response.ok(refused + ": " + last);
                        }))
            .bindLoopback(0);
    try (PacketStreamTester tester =
        PacketStreamTester.connect("127.0.0.1", server.port(), codec)) {
      tester.onRequest(100).respondOk();
      tester
          .request(1)
          .exchange()
          .assertOk()
          .assertPayload(
              "1: the packetstream tester keeps at most "
                  + PacketStreamTester.MAX_KEPT_REQUESTS
                  + " requests that the test has not taken with awaitRequest");
      assertThatThrownBy(() -> tester.awaitRequest(55, Duration.ZERO))
          .isInstanceOf(AssertionError.class)
          .hasMessage(
              "expected a request of type 55 from the server within PT0S but none came;"
                  + " requests waiting to be taken, by type: {100=1024}; 1 more were refused (over 1024 kept)");
      tester.awaitRequest(100, Duration.ZERO);
      tester.reset();
      assertThatThrownBy(() -> tester.awaitRequest(55, Duration.ZERO))
          .isInstanceOf(AssertionError.class)
          .hasMessage(
              "expected a request of type 55 from the server within PT0S but none came;"
                  + " no other request is waiting to be taken");
    } finally {
      server.close();
    }
  }
}
