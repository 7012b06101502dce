package io.packetstream.spring.handler;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.Response;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An exception handler's result becomes a not-ok answer by the same rules, class by class, as a
 * handler method's result becomes an ok one.
 */
class ExceptionHandlersTest {

  static class Answers {
    /** Declared Object: each answer is mapped by its class when it comes. */
    @PacketExceptionHandler
    Object answer(IllegalStateException e) {
      return switch (e.getMessage()) {
        case "text" -> "bad";
        case "flags" -> 7L;
        case "reply" -> new PacketReply(3, "r".getBytes(UTF_8));
        case "buffer" -> ByteBuffer.wrap("b".getBytes(UTF_8));
        case "response" -> Response.ok("fine after all");
        case "optional" -> Optional.of("x");
        default -> null;
      };
    }
  }

  private static Object answer(String which) throws Throwable {
    List<String> problems = new ArrayList<>();
    ExceptionHandlers handlers = ExceptionHandlers.of("answers", new Answers(), null, problems);
    assertThat(problems).isEmpty();
    return ExceptionHandlers.answer(
        List.of(handlers),
        new ExceptionHandlers.Call(null, null, new IllegalStateException(which)));
  }

  @Test
  void eachKindOfResultIsTheNotOkAnswersPayloadOrFlags() throws Throwable {
    assertThat(answer("text")).isEqualTo(Response.failure("bad"));
    assertThat(answer("flags")).isEqualTo(Response.failure(7, new byte[0]));
    assertThat(answer("reply")).isEqualTo(Response.failure(3, "r".getBytes(UTF_8)));
    assertThat(answer("buffer")).isEqualTo(Response.failure(0, "b".getBytes(UTF_8)));
    assertThat(answer("response")).isEqualTo(Response.ok("fine after all"));
    assertThat(answer("nothing")).isEqualTo(Response.failure(0, new byte[0]));
  }

  /**
   * What a handler may not answer with, an exception handler may not either: a failure of the
   * exception handler, which is not handled again.
   */
  @Test
  void aResultNoHandlerCouldAnswerWithIsRefusedSayingWhy() {
    assertThatThrownBy(() -> answer("optional"))
        .isInstanceOf(ExceptionHandlers.Failed.class)
        .hasMessageStartingWith("@PacketExceptionHandler Answers.answer(IllegalStateException)")
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "cannot answer with a java.util.Optional, which is an Optional: use the value itself"
                + " (null is an empty payload)");
  }
}
