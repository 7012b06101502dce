package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.app.Orders.Order;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Resetting the in-memory tester, as happens after every test, ends the application's end of the
 * pipes at once: it waited for the EOF of the aborted tester until its close timeout ran out, so
 * every in-memory test took 10 s by default.
 */
@PacketStreamTest(
    properties = {"packetstream.test.transport=in-memory", "packetstream.close-timeout=5m"})
@Timeout(60)
class InMemoryResetTest {

  @Autowired PacketStreamTester tester;

  @Test
  void resetDoesNotWaitOutTheApplicationsCloseTimeout() throws Exception {
    tester.request(Orders.ORDER).payload(new Order("pen", 3)).exchange().assertOk();
    PacketConnection first = tester.connection();

    // the application's close timeout is longer than this test may run
    CompletableFuture.runAsync(tester::reset).get(30, TimeUnit.SECONDS);

    assertThat(first.state().isTerminal()).isTrue();
    tester.request(Orders.ORDER).payload(new Order("pen", 2)).exchange().assertOk();
  }
}
