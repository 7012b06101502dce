package io.packetstream.test.reset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.test.LocalPacketStreamServerPort;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A test that gave up on an answer (its request timed out) leaves the server running the handler;
 * resetting the tester after it ends its connection at once, rather than waiting for the server to
 * finish that handler and send its EOF, which a graceful close would do for the server's close
 * timeout (10 s by default) after every such test.
 */
@PacketStreamTest(properties = "packetstream.close-timeout=5m")
@Timeout(60)
class ResetAfterUnansweredRequestTest {

  @LocalPacketStreamServerPort int port;
  @Autowired PayloadCodec codec;

  @Test
  void resetDoesNotWaitForTheServerToFinishARequestTheTestGaveUpOn() throws Exception {
    // close timeouts (the server's above) longer than this test may run: only a reset that does not
    // wait for the server's EOF passes
    PacketStreamTester tester =
        PacketStreamTester.connecting(
            b -> PacketClient.connect("127.0.0.1", port, b.closeTimeout(Duration.ofMinutes(5))),
            codec);
    try {
      assertThatThrownBy(
              () ->
                  tester.request(ResetApplication.HELD).timeout(Duration.ofMillis(100)).exchange())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("no answer within");
      assertThat(ResetApplication.STARTED.await(10, TimeUnit.SECONDS)).isTrue();
      var first = tester.connection();

      CompletableFuture.runAsync(tester::reset).get(30, TimeUnit.SECONDS);

      assertThat(ResetApplication.RELEASE).as("the server still runs the handler").isNotDone();
      assertThat(first.state().isTerminal()).isTrue();
    } finally {
      ResetApplication.RELEASE.complete("released");
      tester.close();
    }
  }
}
