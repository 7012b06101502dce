package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * Handler methods inherited from a generic class: their payload parameters are decoded as the
 * bean's type arguments, as Spring MVC reads a {@code @RequestBody T} of a generic controller.
 */
@SpringBootTest(
    classes = GenericHandlerTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"packetstream.server.port=0", "packetstream.server.address=127.0.0.1"})
class GenericHandlerTest {

  public record Order(String item, int count) {}

  /** What every kind of payload's handlers do, written once. */
  abstract static class Inbox<T> {

    @PacketHandler(1)
    String one(T payload) {
      return payload.getClass().getSimpleName() + " " + payload;
    }

    @PacketHandler(2)
    String all(List<T> payloads) {
      return payloads.get(0).getClass().getSimpleName() + " x " + payloads.size();
    }
  }

  static class OrderInbox extends Inbox<Order> {}

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(OrderInbox.class)
  static class App {}

  @Autowired PacketStreamServer server;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type, String payload) throws Exception {
    return client.submit(type, 0, payload.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTypeVariableIsDecodedAsTheBeansTypeArgument() throws Exception {
    assertThat(call(1, "{\"item\":\"tea\",\"count\":2}"))
        .isEqualTo(Response.ok("Order Order[item=tea, count=2]"));
  }

  @Test
  void aTypeVariableInsideAListIsDecodedAsTheBeansTypeArgument() throws Exception {
    assertThat(call(2, "[{\"item\":\"tea\",\"count\":2},{\"item\":\"jam\",\"count\":1}]"))
        .isEqualTo(Response.ok("Order x 2"));
  }
}
