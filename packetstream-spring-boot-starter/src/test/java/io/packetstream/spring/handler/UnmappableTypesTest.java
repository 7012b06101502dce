package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import kotlin.coroutines.Continuation;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Parameter and return types that could only be served wrongly stop the application at start-up.
 */
class UnmappableTypesTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class, PacketStreamAutoConfiguration.class));

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

    /** {@code suspend fun maybe(): Optional<String>}: refused as the plain function would be. */
    @PacketHandler(7)
    Object maybe(Continuation<? super Optional<String>> continuation) {
      return Optional.empty();
    }

    /** {@code suspend fun later(): Reply}: its Reply would come later still, which cannot be. */
    @PacketHandler(8)
    Object later(Continuation<? super io.packetstream.connection.Reply> continuation) {
      return null;
    }
  }

  /** {@code suspend fun} as an exception handler, which cannot be one. */
  static class SuspendingExceptionHandler {
    @PacketHandler(1)
    String fails() {
      throw new IllegalStateException("no");
    }

    @PacketExceptionHandler
    Object onFailure(IllegalStateException e, Continuation<? super String> continuation) {
      return e.getMessage();
    }
  }

  public record Order(String item) {}

  static class PayloadTwice {
    @PacketHandler(1)
    String twoAnnotated(@Payload String a, @Payload byte[] b) {
      return a;
    }

    @PacketHandler(2)
    String annotatedAndByType(Order order, @Payload String text) {
      return text;
    }

    @PacketHandler(3)
    String payloadAndFlags(@Payload @PacketFlags long flags) {
      return "";
    }

    @PacketHandler(4)
    String annotatedStream(@Payload InputStream in) {
      return "";
    }

    @PacketHandler(5)
    String code(@Payload Runnable r) {
      return "";
    }
  }

  static class ReadsStreams {
    @PacketHandler(1)
    String stream(InputStream in) {
      return "";
    }
  }

  /** A codec that can give a payload as a stream, which Jackson cannot. */
  static class StreamCodec implements PayloadCodec {
    @Override
    public boolean canDecode(Type type) {
      return type == InputStream.class;
    }

    @Override
    public Object decode(byte[] payload, Type type) {
      return new ByteArrayInputStream(payload);
    }

    @Override
    public byte[] encode(Object value) {
      return value.toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  private static List<String> problems(Throwable failure) {
    while (!(failure instanceof InvalidPacketHandlerException) && failure.getCause() != null) {
      failure = failure.getCause();
    }
    assertThat(failure).isInstanceOf(InvalidPacketHandlerException.class);
    return ((InvalidPacketHandlerException) failure).problems();
  }

  @Test
  void refusesTwoPayloadsAndAPayloadTheCodecCannotReadNamingTheMethod() {
    runner
        .withBean(PayloadTwice.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              List<String> problems = problems(context.getStartupFailure());
              assertThat(problems).hasSize(5);
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("PayloadTwice.twoAnnotated(String, byte[]) of bean")
                              .contains(
                                  "more than one parameter takes the payload (parameter 1 (byte[]) is the"
                                      + " second)"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("PayloadTwice.annotatedAndByType(Order, String) of bean")
                              .contains(
                                  "more than one parameter takes the payload (parameter 1 (String)"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("PayloadTwice.payloadAndFlags(long) of bean")
                              .contains("annotated both @Payload and @PacketFlags"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("PayloadTwice.annotatedStream(InputStream) of bean")
                              .contains(
                                  "cannot be read from a payload by the payload codec (JacksonPayloadCodec)"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("PayloadTwice.code(Runnable) of bean")
                              .contains("is code, not data"));
            });
  }

  @Test
  void theCodecDecidesWhichTypesItCanRead() {
    // Jackson cannot construct an InputStream; this codec can
    runner
        .withBean(ReadsStreams.class)
        .run(
            context ->
                assertThat(problems(context.getStartupFailure()))
                    .singleElement()
                    .asString()
                    .contains("JacksonPayloadCodec"));
    runner
        .withBean(ReadsStreams.class)
        .withBean(StreamCodec.class)
        .run(context -> assertThat(context).hasNotFailed());
  }

  static class BadExceptionHandlers {
    @PacketHandler(1)
    String ok() {
      return "";
    }

    @PacketExceptionHandler
    Optional<String> optional(IllegalStateException e) {
      return Optional.empty();
    }

    @PacketExceptionHandler
    Future<String> future(IllegalArgumentException e) {
      return CompletableFuture.completedFuture("a");
    }

    @PacketExceptionHandler
    CompletableFuture<Stream<String>> stageOfStream(UnsupportedOperationException e) {
      return CompletableFuture.completedFuture(Stream.of("a"));
    }

    @PacketExceptionHandler
    boolean bool(ArithmeticException e) {
      return false;
    }

    @PacketExceptionHandler
    CompletionStage<CompletableFuture<String>> stageOfStage(NullPointerException e) {
      return null;
    }
  }

  static class GoodExceptionHandlers {
    @PacketHandler(1)
    String ok() {
      return "";
    }

    @PacketExceptionHandler
    CompletionStage<Order> later(IllegalStateException e) {
      return CompletableFuture.completedFuture(new Order("x"));
    }

    @PacketExceptionHandler
    void nothing(IllegalArgumentException e) {}

    @PacketExceptionHandler
    Object any(RuntimeException e) {
      return "x";
    }
  }

  @Test
  void refusesExceptionHandlerResultsThatCannotBeAnswersNamingTheMethod() {
    runner
        .withBean(BadExceptionHandlers.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(problems(context.getStartupFailure()))
                  .containsExactlyInAnyOrder(
                      "BadExceptionHandlers.optional(IllegalStateException) of bean"
                          + " 'unmappableTypesTest.BadExceptionHandlers': returns Optional, which"
                          + " is an Optional: use the value itself (null is an empty"
                          + " payload)",
                      "BadExceptionHandlers.future(IllegalArgumentException) of bean"
                          + " 'unmappableTypesTest.BadExceptionHandlers': returns Future, which an"
                          + " exception handler cannot wait for; return a CompletionStage",
                      "BadExceptionHandlers.stageOfStream(UnsupportedOperationException) of bean"
                          + " 'unmappableTypesTest.BadExceptionHandlers': completes with Stream,"
                          + " which is single-use and lazy: use a List",
                      "BadExceptionHandlers.bool(ArithmeticException) of bean"
                          + " 'unmappableTypesTest.BadExceptionHandlers': cannot answer with a"
                          + " boolean; return int or long flags",
                      "BadExceptionHandlers.stageOfStage(NullPointerException) of bean"
                          + " 'unmappableTypesTest.BadExceptionHandlers': completes with"
                          + " CompletableFuture, which cannot be waited for; complete the stage"
                          + " with the answer itself");
            });
    runner.withBean(GoodExceptionHandlers.class).run(context -> assertThat(context).hasNotFailed());
  }

  static class NeedsValidation {
    @PacketHandler(1)
    String order(@jakarta.validation.Valid Order order) {
      return order.item();
    }
  }

  @Test
  void refusesAValidatedPayloadWithoutAValidator() {
    runner
        .withBean(NeedsValidation.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .isInstanceOf(InvalidPacketHandlerException.class)
                  .hasMessageContaining("NeedsValidation.order(Order) of bean")
                  .hasMessageContaining("asks for validation, and there is no Validator bean");
            });
  }

  @Test
  void refusesEachUnmappableMethodNamingIt() {
    runner
        .withBean(Unmappable.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              while (!(failure instanceof InvalidPacketHandlerException)
                  && failure.getCause() != null) {
                failure = failure.getCause();
              }
              assertThat(failure).isInstanceOf(InvalidPacketHandlerException.class);
              List<String> problems = ((InvalidPacketHandlerException) failure).problems();
              // maybe(Continuation) and later(Continuation) twice: for the missing coroutines,
              // and for their results
              assertThat(problems).hasSize(10);
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.later(Continuation)")
                              .contains("is a suspend function returning Reply"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.maybe(Continuation)")
                              .contains("returns Optional, which is an Optional"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.stream()")
                              .contains(
                                  "returns Stream, which is single-use and lazy: use a List"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.optional()")
                              .contains("is an Optional"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.future()")
                              .contains("return a CompletionStage"));
              // the codec says it cannot read one
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.inputStream(InputStream)")
                              .contains(
                                  "parameter 0 (InputStream) cannot be read from a payload by the payload codec"
                                      + " (JacksonPayloadCodec)"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.stage(CompletableFuture)")
                              .contains("is asynchronous"));
              assertThat(problems)
                  .anySatisfy(
                      p ->
                          assertThat(p)
                              .startsWith("Unmappable.suspending(String, Continuation)")
                              .contains(
                                  "is a Kotlin suspend function, which needs kotlinx-coroutines-reactor"));
            });
  }

  @Test
  void refusesASuspendingExceptionHandlerSayingSo() {
    runner
        .withBean(SuspendingExceptionHandler.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(problems(context.getStartupFailure()))
                  .singleElement()
                  .asString()
                  .startsWith(
                      "SuspendingExceptionHandler.onFailure(IllegalStateException,"
                          + " Continuation)")
                  .contains(
                      "is a Kotlin suspend function, which a @PacketExceptionHandler cannot be");
            });
  }

  @Test
  void aSuspendFunctionIsToldOnlyWhatItLacks() {
    assertThat(HandlerSignature.missingForSuspend(true, true, false))
        .isEqualTo("needs kotlinx-coroutines-reactor on the class path; add it");
    assertThat(HandlerSignature.missingForSuspend(true, false, true))
        .isEqualTo("needs kotlin-reflect on the class path; add it");
    assertThat(HandlerSignature.missingForSuspend(true, false, false))
        .isEqualTo(
            "needs kotlinx-coroutines-reactor and kotlin-reflect on the class path; add them");
  }
}
