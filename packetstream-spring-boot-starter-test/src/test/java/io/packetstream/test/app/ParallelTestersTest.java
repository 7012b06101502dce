package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Tests that run in parallel each take a tester of their own from the bean: its own connection,
 * answers and requests, so that the reset after one test, which ends the bean's connection, ends no
 * other test's exchange. The shared bean failed most exchanges of parallel tests.
 */
@PacketStreamTest
@Timeout(60)
class ParallelTestersTest {

  @Autowired PacketStreamTester tester;

  @Test
  void testersOfTheirOwnExchangeWhileTheSharedOneIsReset() throws Exception {
    List<CompletableFuture<Void>> peers = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      String name = "peer" + p;
      peers.add(
          CompletableFuture.runAsync(
              () -> {
                try (PacketStreamTester own = tester.newTester()) {
                  own.onRequest(Orders.CALLBACK).respondOk(name);
                  for (int i = 0; i < 20; i++) {
                    own.request(Orders.RING)
                        .payload("x")
                        .exchange()
                        .assertOk()
                        .assertPayload("peer said: " + name);
                  }
                }
              }));
    }
    // meanwhile the shared bean is used and reset, as after each test method
    for (int i = 0; i < 20; i++) {
      tester.request(Orders.ECHO).payload("e").exchange().assertOk();
      tester.reset();
    }
    for (CompletableFuture<Void> peer : peers) {
      peer.get(30, TimeUnit.SECONDS);
    }
    assertThat(peers).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
  }
}
