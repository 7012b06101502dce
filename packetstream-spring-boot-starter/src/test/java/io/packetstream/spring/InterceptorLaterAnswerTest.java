package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerInterceptor;
import io.packetstream.spring.handler.PacketHandlerMethod;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * An interceptor hears on the method's own thread that its answer comes later, before {@code
 * afterCompletion} runs on the thread that completes it: the place to clear what {@code preHandle}
 * bound to the thread. An MDC entry put in {@code preHandle} stayed on the pooled handler thread,
 * in the logs of the requests it ran next.
 */
@SpringBootTest(
    classes = InterceptorLaterAnswerTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "spring.threads.virtual.enabled=false"
    })
@Timeout(60)
class InterceptorLaterAnswerTest {

  static class Handlers {
    final CompletableFuture<String> answer = new CompletableFuture<>();

    @PacketHandler(1)
    CompletableFuture<String> later() {
      return answer;
    }

    @PacketHandler(2)
    String now() {
      return "now";
    }

    @PacketHandler(3)
    String refuse() {
      throw new RequestFailedException(Response.failure("chosen now"));
    }

    @PacketHandler(4)
    CompletableFuture<String> refuseLater() {
      return CompletableFuture.failedFuture(
          new RequestFailedException(Response.failure("chosen later")));
    }
  }

  /** Puts the request type in the MDC, and records each call with its thread and the MDC. */
  static class Mdc implements PacketHandlerInterceptor {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public Response preHandle(Request request, PacketHandlerMethod handler) {
      MDC.put("rq", Long.toString(request.rqType()));
      calls.add("pre " + request.rqType() + " on " + Thread.currentThread().getName());
      return null;
    }

    @Override
    public void afterAsyncHandlingStarted(Request request, PacketHandlerMethod handler) {
      calls.add("started " + request.rqType() + " on " + Thread.currentThread().getName());
      MDC.remove("rq");
    }

    @Override
    public void afterCompletion(
        Request request, PacketHandlerMethod handler, Response answer, Throwable failure) {
      calls.add(
          "after "
              + request.rqType()
              + " "
              + (answer != null ? answer.text() : "failure " + failure));
      MDC.remove("rq");
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Handlers.class)
  static class App {
    @Bean
    Mdc mdc() {
      return new Mdc();
    }
  }

  @Autowired PacketStreamServer server;
  @Autowired Handlers handlers;
  @Autowired Mdc mdc;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void aLaterAnswerIsAnnouncedOnTheMethodsThreadBeforeItCompletes() throws Exception {
    mdc.calls.clear();
    CompletableFuture<Response> call = client.submit(0, 1, 0, new byte[0], Duration.ZERO);
    await().atMost(Duration.ofSeconds(10)).until(() -> mdc.calls.size() == 2);
    String pre = mdc.calls.get(0);
    String thread = pre.substring(pre.indexOf(" on ") + 4);
    assertThat(mdc.calls).containsExactly(pre, "started 1 on " + thread);

    Thread completer = new Thread(() -> handlers.answer.complete("later"), "completer");
    completer.start();
    assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("later"));
    await().atMost(Duration.ofSeconds(10)).until(() -> mdc.calls.size() == 3);
    assertThat(mdc.calls.get(2)).isEqualTo("after 1 later");
  }

  @Test
  void anAnswerAtOnceIsNotAnnouncedAsLater() throws Exception {
    mdc.calls.clear();
    assertThat(client.call(0, 2, 0, new byte[0], Duration.ofSeconds(10)))
        .isEqualTo(Response.ok("now"));
    await().atMost(Duration.ofSeconds(10)).until(() -> mdc.calls.size() == 2);
    assertThat(mdc.calls.get(0)).startsWith("pre 2 on ");
    assertThat(mdc.calls.get(1)).isEqualTo("after 2 now");
  }

  /**
   * A handler's {@link RequestFailedException} is answered with its response, which the
   * interceptors get as the answer, not as a failure: it was not answered "exception during
   * handler".
   */
  @Test
  void aChosenNotOkAnswerReachesAfterCompletionAsTheAnswer() throws Exception {
    mdc.calls.clear();
    assertThat(client.call(0, 3, 0, new byte[0], Duration.ofSeconds(10)))
        .isEqualTo(Response.failure("chosen now"));
    assertThat(client.call(0, 4, 0, new byte[0], Duration.ofSeconds(10)))
        .isEqualTo(Response.failure("chosen later"));
    await().atMost(Duration.ofSeconds(10)).until(() -> mdc.calls.size() == 5);
    assertThat(mdc.calls).contains("after 3 chosen now", "after 4 chosen later");
  }
}
