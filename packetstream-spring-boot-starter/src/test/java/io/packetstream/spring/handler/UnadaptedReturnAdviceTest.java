package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Mono;

/**
 * A result the starter cannot wait for without blocking is refused at start-up with advice that
 * fits the class path: this one has Reactor, so the advice for a {@link Future} never asks for it.
 */
class UnadaptedReturnAdviceTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class, PacketStreamAutoConfiguration.class));

  static class ReturnsAFuture {
    @PacketHandler(1)
    Future<String> future() {
      return CompletableFuture.completedFuture("a");
    }
  }

  @Test
  void aFutureIsRefusedWithAdviceThatDoesNotAskForReactorWhenItIsThere() {
    assertThat(Mono.class).as("Reactor is on this test's class path").isNotNull();
    runner
        .withBean(ReturnsAFuture.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .isInstanceOf(InvalidPacketHandlerException.class);
              assertThat(((InvalidPacketHandlerException) context.getStartupFailure()).problems())
                  .singleElement()
                  .asString()
                  .startsWith("ReturnsAFuture.future() of bean")
                  .contains(
                      "returns Future, which only a blocked thread could wait for; return a"
                          + " CompletionStage (a CompletableFuture) instead")
                  .doesNotContain("Reactor");
            });
  }
}
