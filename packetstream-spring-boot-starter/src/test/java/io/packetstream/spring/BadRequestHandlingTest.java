package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.BadRequestException;
import io.packetstream.spring.handler.PacketControllerAdvice;
import io.packetstream.spring.handler.PacketExceptionHandler;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

/**
 * A request the starter finds bad (a payload that fails validation or cannot be read) or a handler
 * refuses with a {@link BadRequestException} goes to the exception handlers, as Spring MVC's {@code
 * MethodArgumentNotValidException} does: one may shape the answer from its violations; one that
 * does not handle it, or fails, leaves the starter's answer. Either way the request is a client
 * error, logged at DEBUG. Real TCP to the real server of a real application.
 */
@SpringBootTest(
    classes = BadRequestHandlingTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "logging.level.io.packetstream.spring.handler=DEBUG"
    })
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class BadRequestHandlingTest {

  /** A validated order. */
  public record BOrder(@NotBlank String item, @Min(1) int count) {}

  /** The answer the advice makes of a bad request. */
  public record Problem(String message, List<BadRequestException.Violation> violations) {}

  static class Handlers {

    @PacketHandler(1)
    String order(@Valid BOrder order) {
      return "ordered " + order.item();
    }

    @PacketHandler(5)
    String orderToo(BOrder order) {
      return "ordered " + order.item();
    }

    @PacketHandler(2)
    String refuse(String size) {
      throw new BadRequestException("no such size: " + size);
    }

    @PacketHandler(3)
    CompletableFuture<String> refuseLater(String size) {
      return CompletableFuture.failedFuture(new BadRequestException("no such size yet: " + size));
    }
  }

  /** A bean whose own exception handler fails on a bad request, and one that answers it ok. */
  static class Careless {

    @PacketHandler(4)
    String order(@Valid BOrder order) {
      return "ordered " + order.item();
    }

    @PacketExceptionHandler
    String broken(BadRequestException e) {
      throw new IllegalStateException("the exception handler broke");
    }
  }

  /** Answers every bad request as a JSON problem, as a port of an RSocket service would. */
  @PacketControllerAdvice
  static class Problems {
    @PacketExceptionHandler
    Problem invalid(BadRequestException e) {
      return new Problem(e.getMessage(), e.violations());
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import({Handlers.class, Careless.class, Problems.class})
  static class App {}

  @Autowired PacketStreamServer server;
  @Autowired MeterRegistry registry;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type, String payload) throws Exception {
    return client.submit(type, 0, payload.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
  }

  private void awaitOutcome(long type, String outcome, long count) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer t =
                  registry
                      .find("packetstream.server.requests")
                      .tags("rq.type", Long.toString(type), "outcome", outcome)
                      .timer();
              return t != null && t.count() == count;
            });
  }

  @Test
  void anAdviceShapesTheAnswerToAFailedValidationFromItsViolations(CapturedOutput output)
      throws Exception {
    Response r = call(1, "{\"item\":\" \",\"count\":0}");

    assertThat(r.ok()).isFalse();
    assertThat(r.text())
        .isEqualTo(
            "{\"message\":\"invalid BOrder: count: must be greater than or equal to 1;"
                + " item: must not be blank\",\"violations\":["
                + "{\"path\":\"count\",\"message\":\"must be greater than or equal to 1\"},"
                + "{\"path\":\"item\",\"message\":\"must not be blank\"}]}");
    awaitOutcome(1, "CLIENT_ERROR", 1);
    assertThat(output.getOut()).contains("bad request").doesNotContain("WARN");
  }

  @Test
  void anAdviceAnswersAPayloadTheCodecCannotReadWithNoViolations() throws Exception {
    Response r = call(5, "{not json");

    assertThat(r.ok()).isFalse();
    assertThat(r.text()).startsWith("{\"message\":\"cannot read the payload as BOrder: ");
    assertThat(r.text()).endsWith("\"violations\":[]}");
    awaitOutcome(5, "CLIENT_ERROR", 1);
  }

  @Test
  void aBadRequestAHandlerThrowsIsAClientErrorNowOrLater() throws Exception {
    assertThat(call(2, "XXL").text())
        .isEqualTo("{\"message\":\"no such size: XXL\",\"violations\":[]}");
    assertThat(call(3, "XXS").text())
        .isEqualTo("{\"message\":\"no such size yet: XXS\",\"violations\":[]}");
    awaitOutcome(2, "CLIENT_ERROR", 1);
    awaitOutcome(3, "CLIENT_ERROR", 1);
  }

  @Test
  void anExceptionHandlerThatFailsOnABadRequestLeavesTheStartersAnswer(CapturedOutput output)
      throws Exception {
    Response r = call(4, "{\"item\":\"tea\",\"count\":0}");

    assertThat(r)
        .isEqualTo(Response.failure("invalid BOrder: count: must be greater than or equal to 1"));
    awaitOutcome(4, "CLIENT_ERROR", 1);
    assertThat(output.getOut()).contains("the exception handler broke");
    assertThat(call(4, "{\"item\":\"tea\",\"count\":1}")).isEqualTo(Response.ok("ordered tea"));
  }
}
