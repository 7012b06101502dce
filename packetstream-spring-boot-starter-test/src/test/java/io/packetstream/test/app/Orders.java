package io.packetstream.test.app;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.RequestContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** Handlers of the test application. */
@Component
public class Orders {

  public static final int ORDER = 1;
  public static final int ECHO = 2;
  public static final int FLAGS_PLUS_ONE = 3;

  /** Calls the requester back with a type-100 request and answers with what it said. */
  public static final int RING = 4;

  /** Answers once {@link #RELEASE} is counted down, or after 10 s. */
  public static final int SLOW = 6;

  public static final int CONNECTION_NAME = 7;
  public static final int CALLBACK = 100;

  /** Lets {@link #SLOW} answer. */
  public static final CountDownLatch RELEASE = new CountDownLatch(1);

  /** An order. */
  public record Order(String item, int quantity) {}

  /** What an order costs. */
  public record Receipt(String item, int quantity, int cents) {}

  @PacketHandler(ORDER)
  Receipt order(Order order) {
    if (order.quantity() <= 0) {
      throw new IllegalArgumentException("quantity " + order.quantity() + " of " + order.item());
    }
    return new Receipt(order.item(), order.quantity(), order.quantity() * 150);
  }

  @PacketHandler(ECHO)
  String echo(String text) {
    return text;
  }

  @PacketHandler(FLAGS_PLUS_ONE)
  long flagsPlusOne(@PacketFlags long flags) {
    return flags + 1;
  }

  @PacketHandler(RING)
  CompletableFuture<String> ring(String text, PacketConnection peer) {
    return peer.submit(CALLBACK, 7, text.getBytes(StandardCharsets.UTF_8))
        .thenApply(r -> (r.ok() ? "peer said: " : "peer refused: ") + r.text());
  }

  @PacketHandler(SLOW)
  Response slow() throws InterruptedException {
    return RELEASE.await(10, TimeUnit.SECONDS)
        ? Response.ok("late")
        : Response.failure("not released");
  }

  @PacketHandler(CONNECTION_NAME)
  String connectionName(RequestContext context) {
    return context.connectionName();
  }
}
