package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import kotlin.coroutines.Continuation;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Parameter and return types that could only be served wrongly stop the application at start-up. */
class UnmappableTypesTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
          PacketStreamAutoConfiguration.class));

  static class Unmappable {
    @PacketHandler(1)
    Stream<String> stream() {
      return Stream.of("a");
    }

    @PacketHandler(2)
    Optional<String> optional() {
      return Optional.empty();
    }

    @PacketHandler(3)
    Future<String> future() {
      return CompletableFuture.completedFuture("a");
    }

    @PacketHandler(4)
    String inputStream(InputStream in) {
      return "";
    }

    @PacketHandler(5)
    String stage(CompletableFuture<String> later) {
      return "";
    }

    /** What the Kotlin compiler makes of {@code suspend fun suspending(text: String): String}. */
    @PacketHandler(6)
    Object suspending(String text, Continuation<? super String> continuation) {
      return text;
    }
  }

  public record Order(String item) {}

  static class NeedsValidation {
    @PacketHandler(1)
    String order(@jakarta.validation.Valid Order order) {
      return order.item();
    }
  }

  @Test
  void refusesAValidatedPayloadWithoutAValidator() {
    runner.withBean(NeedsValidation.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure())
          .isInstanceOf(InvalidPacketHandlerException.class)
          .hasMessageContaining("NeedsValidation.order(Order) of bean")
          .hasMessageContaining("asks for validation, and there is no Validator bean");
    });
  }

  @Test
  void refusesEachUnmappableMethodNamingIt() {
    runner.withBean(Unmappable.class).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      while (!(failure instanceof InvalidPacketHandlerException) && failure.getCause() != null) {
        failure = failure.getCause();
      }
      assertThat(failure).isInstanceOf(InvalidPacketHandlerException.class);
      List<String> problems = ((InvalidPacketHandlerException) failure).problems();
      assertThat(problems).hasSize(6);
      assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Unmappable.stream()")
          .contains("returns Stream, which is single-use and lazy: use a List"));
      assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Unmappable.optional()")
          .contains("is an Optional"));
      assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Unmappable.future()")
          .contains("return a CompletionStage"));
      assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Unmappable.inputStream(InputStream)")
          .contains("is an I/O stream"));
      assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Unmappable.stage(CompletableFuture)")
          .contains("is asynchronous"));
      assertThat(problems).anySatisfy(p -> assertThat(p)
          .startsWith("Unmappable.suspending(String, Continuation)")
          .contains("is a Kotlin suspend function, which needs kotlinx-coroutines-reactor"));
    });
  }
}
