package io.packetstream.test.reset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Over the in-memory transport, a test that gave up on an answer leaves the application running the
 * handler; the reset after it ends the application's end at once, as a socket's reset would, rather
 * than closing it gracefully, which waited for that handler for up to the close timeout.
 */
@PacketStreamTest(
    properties = {"packetstream.test.transport=in-memory", "packetstream.close-timeout=5m"})
@Timeout(60)
class InMemoryResetAfterUnansweredRequestTest {

  @Autowired PacketStreamTester tester;

  @Test
  void resetDoesNotWaitForAHandlerTheTestGaveUpOn() throws Exception {
    try {
      assertThatThrownBy(
              () ->
                  tester
                      .request(ResetApplication.HELD_IN_MEMORY)
                      .timeout(Duration.ofMillis(100))
                      .exchange())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("no answer within");
      assertThat(ResetApplication.STARTED_IN_MEMORY.await(10, TimeUnit.SECONDS)).isTrue();
      var first = tester.connection();

      // the application's close timeout is longer than this test may run
      CompletableFuture.runAsync(tester::reset).get(30, TimeUnit.SECONDS);

      assertThat(ResetApplication.RELEASE_IN_MEMORY).as("the handler still runs").isNotDone();
      assertThat(first.state().isTerminal()).isTrue();
    } finally {
      ResetApplication.RELEASE_IN_MEMORY.complete("released");
    }
  }
}
