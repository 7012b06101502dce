package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EventLoopGroup#inEventLoop()} tells an event loop thread (where an answer's callback runs)
 * from the others, and {@link PacketConnection#call} refuses to block such a thread.
 */
@Timeout(60)
class EventLoopGuardTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void anAnswerCallbackOnTheLoopIsInTheEventLoopAndMayNotCall() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean handlerInLoop = new AtomicBoolean(true);
    PacketConnection.Builder server =
        PacketConnection.builder()
            .handler(
                rq -> {
                  handlerInLoop.set(EventLoopGroup.inEventLoop());
                  release.await(10, TimeUnit.SECONDS);
                  return Response.ok(rq.payload());
                });
    try (ConnectedPair pair = new ConnectedPair(PacketConnection.builder(), server)) {
      AtomicBoolean callbackInLoop = new AtomicBoolean();
      AtomicReference<String> callbackThread = new AtomicReference<>();
      CompletableFuture<Response> nested =
          pair.left
              .submit(0, 1, 0, new byte[] {1}, WAIT)
              .thenApply(
                  r -> {
                    callbackInLoop.set(EventLoopGroup.inEventLoop());
                    callbackThread.set(Thread.currentThread().getName());
                    try {
                      return pair.left.call(0, 2, 0, new byte[] {2}, WAIT);
                    } catch (IOException | InterruptedException | TimeoutException e) {
                      throw new IllegalStateException("call() threw a checked exception", e);
                    }
                  });
      // the callback is registered before the answer exists, so the thread that reads it runs it
      release.countDown();

      assertThat(nested)
          .failsWithin(WAIT)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(IllegalStateException.class)
          .withMessageContaining("would block an event loop thread");
      assertThat(callbackInLoop).as("callback on " + callbackThread.get()).isTrue();
      assertThat(handlerInLoop).as("a request handler's thread").isFalse();
      assertThat(EventLoopGroup.inEventLoop()).as("the test's own thread").isFalse();
      assertThat(pair.left.call(0, 3, 0, new byte[] {3}, WAIT))
          .as("off the loop call() works")
          .isEqualTo(Response.ok(new byte[] {3}));
    }
  }
}
