package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketControllerAdvice;
import io.packetstream.spring.handler.PacketExceptionHandler;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerInterceptor;
import io.packetstream.spring.handler.PacketHandlerMethod;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * An exception handler that fails, by throwing or with a failed stage, is not handled again (as in
 * Spring MVC): the failure it was handling goes on unhandled and is answered {@code exception
 * during handler}, the interceptors hear that original failure, and a WARN names the exception
 * handler and what it was handling. A {@link RequestFailedException} from it is its answer. Real
 * TCP to the real server of a real application.
 */
@SpringBootTest(
    classes = ExceptionHandlerFailureTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"packetstream.server.port=0", "packetstream.server.address=127.0.0.1"})
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class ExceptionHandlerFailureTest {

  static class SyncTrouble extends RuntimeException {
    SyncTrouble(String message) {
      super(message);
    }
  }

  static class AsyncTrouble extends RuntimeException {
    AsyncTrouble(String message) {
      super(message);
    }
  }

  static class PassedOn extends RuntimeException {
    PassedOn(String message) {
      super(message);
    }
  }

  static class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message);
    }
  }

  static class Handlers {

    @PacketHandler(1)
    String throwsSync() {
      throw new SyncTrouble("sync trouble");
    }

    @PacketHandler(2)
    String throwsForALaterHandler() {
      throw new AsyncTrouble("async trouble");
    }

    @PacketHandler(3)
    CompletableFuture<String> failsLater() {
      return CompletableFuture.supplyAsync(
          () -> {
            throw new AsyncTrouble("late trouble");
          });
    }

    @PacketHandler(4)
    String passedOn() {
      throw new PassedOn("passed on");
    }

    @PacketHandler(5)
    String refused() {
      throw new Refusal("refused");
    }

    @PacketExceptionHandler
    String breaksAtOnce(SyncTrouble e) {
      throw new IllegalStateException("the exception handler broke");
    }

    @PacketExceptionHandler
    CompletableFuture<String> breaksLater(AsyncTrouble e) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the async exception handler broke"));
    }

    @PacketExceptionHandler
    String rethrows(PassedOn e) {
      throw e;
    }

    @PacketExceptionHandler
    String answersNotOk(Refusal e) {
      throw new RequestFailedException(
          Response.failure(4, "refused by the exception handler".getBytes(UTF_8)));
    }
  }

  /** Would answer any failure, the exception handlers' own included, if they were handled again. */
  @PacketControllerAdvice
  static class Advice {
    final List<String> handled = new CopyOnWriteArrayList<>();

    @PacketExceptionHandler(RuntimeException.class)
    String anyRuntime(Exception e) {
      handled.add(e.getMessage());
      return "advice: " + e.getMessage();
    }
  }

  /** The failure each request type ended with, as the interceptors hear it. */
  static class Failures implements PacketHandlerInterceptor {
    final Map<Long, String> byType = new ConcurrentHashMap<>();

    @Override
    public Response preHandle(Request request, PacketHandlerMethod handler) {
      return null;
    }

    @Override
    public void afterCompletion(
        Request request, PacketHandlerMethod handler, Response answer, Throwable failure) {
      byType.put(request.rqType(), failure == null ? "answered" : failure.toString());
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import({Handlers.class, Advice.class})
  static class App {
    @Bean
    Failures failures() {
      return new Failures();
    }
  }

  @Autowired PacketStreamServer server;
  @Autowired Advice advice;
  @Autowired Failures failures;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    advice.handled.clear();
    failures.byType.clear();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type) throws Exception {
    return client.submit(type, 0, new byte[0]).get(10, TimeUnit.SECONDS);
  }

  private String heard(long type) {
    await().atMost(Duration.ofSeconds(10)).until(() -> failures.byType.containsKey(type));
    return failures.byType.get(type);
  }

  @Test
  void aThrowingExceptionHandlerLeavesTheOriginalFailureUnhandledAndIsNamedInTheWarning(
      CapturedOutput output) throws Exception {
    assertThat(call(1)).isEqualTo(Response.failure());

    assertThat(advice.handled).isEmpty();
    assertThat(heard(1)).isEqualTo(new SyncTrouble("sync trouble").toString());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(output.getOut())
                    .contains(
                        "@PacketExceptionHandler Handlers.breaksAtOnce(SyncTrouble) of bean",
                        "failed while handling "
                            + SyncTrouble.class.getName()
                            + ": sync trouble from Handlers.throwsSync() of bean",
                        "IllegalStateException: the exception handler broke")
                    // and the connection's own warning is about the original failure
                    .contains("handler for request type 1 failed"));
  }

  @Test
  void anExceptionHandlersFailedStageIsNotHandledAgainEither(CapturedOutput output)
      throws Exception {
    assertThat(call(2)).isEqualTo(Response.failure());
    assertThat(call(3)).isEqualTo(Response.failure());

    assertThat(advice.handled).isEmpty();
    assertThat(heard(2)).isEqualTo(new AsyncTrouble("async trouble").toString());
    assertThat(heard(3)).isEqualTo(new AsyncTrouble("late trouble").toString());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(output.getOut())
                    .contains(
                        "@PacketExceptionHandler Handlers.breaksLater(AsyncTrouble) of bean",
                        "failed while handling "
                            + AsyncTrouble.class.getName()
                            + ": async trouble from Handlers.throwsForALaterHandler() of bean",
                        "IllegalStateException: the async exception handler broke"));
  }

  @Test
  void anExceptionHandlerThatRethrowsPassesTheFailureOnWithoutAWarningOfItsOwn(
      CapturedOutput output) throws Exception {
    assertThat(call(4)).isEqualTo(Response.failure());

    assertThat(advice.handled).isEmpty();
    assertThat(heard(4)).isEqualTo(new PassedOn("passed on").toString());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(output.getOut()).contains("handler for request type 4 failed"));
    assertThat(output.getOut()).doesNotContain("Handlers.rethrows(PassedOn) of bean");
  }

  @Test
  void aRequestFailedExceptionFromAnExceptionHandlerIsItsAnswer() throws Exception {
    assertThat(call(5))
        .isEqualTo(Response.failure(4, "refused by the exception handler".getBytes(UTF_8)));
    assertThat(advice.handled).isEmpty();
  }
}
