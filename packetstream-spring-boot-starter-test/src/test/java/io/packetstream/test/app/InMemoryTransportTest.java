package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.app.Orders.Order;
import io.packetstream.test.app.Orders.Receipt;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** packetstream.test.transport=in-memory: no server, the tester reaches the handlers over pipes. */
@PacketStreamTest(properties = "packetstream.test.transport=in-memory")
class InMemoryTransportTest {

  @Autowired ApplicationContext context;

  @Autowired PacketStreamTester tester;

  @Test
  void talksToTheHandlersWithoutAServer() {
    assertThat(context.getBeansOfType(PacketStreamServer.class)).isEmpty();
    tester
        .request(Orders.ORDER)
        .payload(new Order("pen", 3))
        .exchange()
        .assertOk()
        .assertPayload(new Receipt("pen", 3, 450));
    assertThat(tester.request(Orders.CONNECTION_NAME).exchange().assertOk().payloadText())
        .as("the application's end is made as a server connection")
        .startsWith("packetstream-server#in-memory-");
  }

  @Test
  void callbacksTravelTheSameConnection() {
    tester.onRequest(Orders.CALLBACK).respondOk("over the pipe");
    tester
        .request(Orders.RING)
        .payload("hello")
        .exchange()
        .assertOk()
        .assertPayload("peer said: over the pipe");
    tester.awaitRequest(Orders.CALLBACK, Duration.ofSeconds(10)).assertPayload("hello");
  }
}
