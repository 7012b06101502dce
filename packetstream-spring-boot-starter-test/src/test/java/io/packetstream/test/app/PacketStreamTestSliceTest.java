package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.test.LocalPacketStreamServerPort;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.app.Orders.Order;
import io.packetstream.test.app.Orders.Receipt;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import io.packetstream.transport.PacketClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The slice: the application's handlers, advice and interceptors with the starter's server on a
 * free port, and nothing else of the application, not even its web layer.
 */
@PacketStreamTest
class PacketStreamTestSliceTest {

  @Autowired ApplicationContext context;

  @Autowired PacketStreamTester tester;

  @Autowired CountingInterceptor interceptor;

  @LocalPacketStreamServerPort int port;

  @Test
  void loadsThePacketStreamSideOfTheApplicationOnly() {
    assertThat(context.getBeansOfType(Orders.class)).hasSize(1);
    assertThat(context.getBeansOfType(InheritedHandlers.class))
        .as("handler methods on a superclass")
        .hasSize(1);
    assertThat(context.getBeansOfType(OrderAdvice.class)).hasSize(1);
    assertThat(context.getBeansOfType(CountingInterceptor.class)).hasSize(1);

    assertThat(context.getBeansOfType(UnrelatedService.class)).isEmpty();
    assertThat(context.getBeansOfType(WebController.class)).isEmpty();
    assertThat(context.getBeansOfType(DispatcherServlet.class)).isEmpty();
    assertThat(context).isNotInstanceOf(WebServerApplicationContext.class);
  }

  @Test
  void theServerListensOnAFreePortThatTheAnnotationInjects() throws Exception {
    PacketStreamServer server = context.getBean(PacketStreamServer.class);
    assertThat(server.isListening()).isTrue();
    assertThat(port).isPositive().isEqualTo(server.port());
    // a client of its own reaches the application on that port
    try (PacketConnection client =
        PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
      assertThat(
              client.call(
                  0,
                  Orders.ECHO,
                  0,
                  "on the port".getBytes(StandardCharsets.UTF_8),
                  Duration.ofSeconds(10)))
          .isEqualTo(Response.ok("on the port"));
    }
  }

  @Test
  void requestsGoThroughHandlersInterceptorsAndAdvice() {
    int before = interceptor.calls.get();
    Receipt receipt =
        tester
            .request(Orders.ORDER)
            .payload(new Order("pen", 2))
            .exchange()
            .assertOk()
            .assertFlags(0)
            .payload(Receipt.class);
    assertThat(receipt).isEqualTo(new Receipt("pen", 2, 300));

    tester
        .request(Orders.ORDER)
        .payload(new Order("pen", 0))
        .exchange()
        .assertNotOk()
        .assertPayload("bad order: quantity 0 of pen");
    tester.request(Orders.FLAGS_PLUS_ONE).flags(41).exchange().assertOk().assertFlags(42);
    tester
        .request(InheritedHandlers.INHERITED)
        .exchange()
        .assertOk()
        .assertPayload("from the superclass");
    assertThat(interceptor.calls.get() - before).isEqualTo(4);
  }

  @Test
  void aTypeWithoutHandlerIsRefused() {
    tester.request(42).exchange().assertNotOk();
  }
}
