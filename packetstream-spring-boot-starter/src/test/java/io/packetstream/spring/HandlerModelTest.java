package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketArgumentResolver;
import io.packetstream.spring.handler.PacketControllerAdvice;
import io.packetstream.spring.handler.PacketExceptionHandler;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerInterceptor;
import io.packetstream.spring.handler.PacketHandlerMethod;
import io.packetstream.spring.handler.PacketReturnValueHandler;
import io.packetstream.spring.handler.Payload;
import io.packetstream.spring.handler.RequestContext;
import io.packetstream.transport.PacketClient;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.Order;

/**
 * Exception handlers, interceptors, the application's own argument resolvers and return value
 * handlers, and validated payloads, over real TCP to the real server of a real application.
 */
@SpringBootTest(
    classes = HandlerModelTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "logging.level.io.packetstream.spring.handler=DEBUG"
    })
@ExtendWith(OutputCaptureExtension.class)
class HandlerModelTest {

  /** A validated payload. */
  public record Order(@NotBlank String item, @Min(1) int count) {}

  /** Marks a method whose text answer the application's handler shouts. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Shouted {}

  /** The application's own kind of result that completes later. */
  record Later<T>(CompletableFuture<T> future) {}

  /** What the application's own resolver makes of the request flags. */
  public record Tenant(long id) {}

  static class Orders {

    @PacketHandler(1)
    String order(@Valid Order order) {
      return order.count() + " x " + order.item();
    }

    @PacketHandler(2)
    String unchecked(Order order) {
      return "unchecked " + order.count();
    }

    @PacketHandler(3)
    String illegalArgument() {
      throw new IllegalArgumentException("bad argument");
    }

    @PacketHandler(4)
    String illegalState() {
      throw new IllegalStateException("bad state");
    }

    @PacketHandler(5)
    String unsupported() {
      throw new UnsupportedOperationException("not supported");
    }

    @PacketHandler(6)
    CompletableFuture<String> missingLater() {
      return CompletableFuture.supplyAsync(
          () -> {
            throw new NoSuchElementException("order 7");
          });
    }

    @PacketHandler(7)
    String tenant(Tenant tenant, @PacketFlags long flags) {
      return "tenant " + tenant.id() + " flags " + flags;
    }

    @PacketHandler(8)
    Optional<String> maybe(String text) {
      return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    @PacketHandler(9)
    String error() {
      throw new AssertionError("not an exception");
    }

    /** {@code @Payload} decodes the payload even into a type the starter would fill itself. */
    @PacketHandler(10)
    String contextFromPayload(@Payload RequestContext sent, RequestContext actual) {
      return sent.connectionName() + " sent, on type " + actual.rqType();
    }

    @PacketHandler(11)
    String payloadAsText(@PacketFlags long flags, @Payload String text) {
      return text + "/" + flags;
    }

    /** The application's handler takes it before the starter's text kind would. */
    @PacketHandler(12)
    @Shouted
    String shouted(String text) {
      return text;
    }

    /** The application's own kind that completes later; its value is encoded as an Order. */
    @PacketHandler(13)
    Later<Order> later(String item) {
      return new Later<>(CompletableFuture.supplyAsync(() -> new Order(item, 3)));
    }

    @PacketHandler(14)
    Later<Order> laterFails() {
      return new Later<>(CompletableFuture.failedFuture(new IllegalStateException("later")));
    }

    /** A stage's value goes through the application's handlers too: here, an Optional. */
    @PacketHandler(15)
    CompletionStage<Optional<String>> laterMaybe(String text) {
      return CompletableFuture.supplyAsync(
          () -> text.isEmpty() ? Optional.empty() : Optional.of(text));
    }

    /** This bean's own handler wins over the advice's for the same exception. */
    @PacketExceptionHandler
    String ownIllegalArgument(IllegalArgumentException e, PacketHandlerMethod handler) {
      return "own: " + e.getMessage() + " in " + handler.method().getName();
    }
  }

  @PacketControllerAdvice
  static class Advice {

    @PacketExceptionHandler
    String adviceIllegalArgument(IllegalArgumentException e) {
      return "advice should not answer";
    }

    @PacketExceptionHandler
    Response illegalState(IllegalStateException e) {
      return Response.failure(3, ("state: " + e.getMessage()).getBytes(UTF_8));
    }

    @PacketExceptionHandler(RuntimeException.class)
    String anyRuntime(Exception e, Request request) {
      return "runtime " + e.getClass().getSimpleName() + " for type " + request.rqType();
    }

    @PacketExceptionHandler
    CompletableFuture<Response> missing(NoSuchElementException e) {
      return CompletableFuture.completedFuture(Response.ok("found nothing: " + e.getMessage()));
    }
  }

  /** Records the calls it sees; the one that refuses answers requests with flags 666 itself. */
  static class Recorder implements PacketHandlerInterceptor {
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final String name;
    private final boolean refuses;

    Recorder(String name, boolean refuses) {
      this.name = name;
      this.refuses = refuses;
    }

    @Override
    public Response preHandle(Request request, PacketHandlerMethod handler) {
      calls.add(name + " pre " + request.rqType() + " " + handler.method().getName());
      return refuses && request.flags() == 666 ? Response.failure("not authorised") : null;
    }

    @Override
    public void afterCompletion(
        Request request, PacketHandlerMethod handler, Response answer, Throwable failure) {
      calls.add(
          name
              + " after "
              + request.rqType()
              + " "
              + (answer != null
                  ? (answer.ok() ? "ok " : "not-ok ") + answer.text()
                  : "failure " + failure));
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import({Orders.class, Advice.class})
  static class App {

    @Bean
    @org.springframework.core.annotation.Order(1)
    Recorder first() {
      return new Recorder("first", false);
    }

    @Bean
    @org.springframework.core.annotation.Order(2)
    Recorder second() {
      return new Recorder("second", true);
    }

    @Bean
    PacketArgumentResolver tenants() {
      return new PacketArgumentResolver() {
        @Override
        public boolean supportsParameter(MethodParameter parameter) {
          return parameter.getParameterType() == Tenant.class;
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, Request request) {
          return new Tenant(request.flags() * 10);
        }
      };
    }

    @Bean
    PacketReturnValueHandler optionals() {
      return new PacketReturnValueHandler() {
        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
          return returnType.getNestedParameterType() == Optional.class;
        }

        @Override
        public Reply handleReturnValue(Object value, MethodParameter returnType) {
          Optional<?> o = (Optional<?>) value;
          return o.isPresent() ? Response.ok(o.get().toString()) : Response.failure("absent");
        }
      };
    }

    @Bean
    PacketReturnValueHandler shouting() {
      return new PacketReturnValueHandler() {
        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
          return returnType.hasMethodAnnotation(Shouted.class);
        }

        @Override
        public Reply handleReturnValue(Object value, MethodParameter returnType) {
          return Response.ok(value.toString().toUpperCase(java.util.Locale.ROOT) + "!");
        }
      };
    }

    @Bean
    PacketReturnValueHandler laters() {
      return new PacketReturnValueHandler() {
        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
          return returnType.getNestedParameterType() == Later.class;
        }

        @Override
        public Reply handleReturnValue(Object value, MethodParameter returnType) {
          return Response.failure("no later");
        }

        @Override
        public boolean isAsyncReturnValue(Object value, MethodParameter returnType) {
          return value != null;
        }

        @Override
        public CompletionStage<?> toCompletionStage(Object value, MethodParameter returnType) {
          return ((Later<?>) value).future();
        }
      };
    }
  }

  @Autowired PacketStreamServer server;
  @Autowired MeterRegistry registry;
  @Autowired Recorder first;
  @Autowired Recorder second;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    first.calls.clear();
    second.calls.clear();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type, long flags, String payload) throws Exception {
    return client.submit(type, flags, payload.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aValidPayloadIsServedAndAnInvalidOneAnsweredNotOkNamingTheFields(CapturedOutput output)
      throws Exception {
    assertThat(call(1, 0, "{\"item\":\"tea\",\"count\":2}")).isEqualTo(Response.ok("2 x tea"));
    Response r = call(1, 0, "{\"item\":\" \",\"count\":0}");
    // the advice's catch-all answers a bad request too, as a @ControllerAdvice's would
    assertThat(r).isEqualTo(Response.failure("runtime BadRequestException for type 1"));
    // without @Valid, no check
    assertThat(call(2, 0, "{\"item\":\"\",\"count\":0}")).isEqualTo(Response.ok("unchecked 0"));
    assertThat(output.getOut())
        .contains("DEBUG")
        .contains("bad request")
        .contains("invalid Order: count")
        .doesNotContain("WARN");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer t =
                  registry
                      .find("packetstream.server.requests")
                      .tags("rq.type", "1", "outcome", "CLIENT_ERROR")
                      .timer();
              return t != null && t.count() == 1;
            });
  }

  @Test
  void theHandlersOwnBeanAnswersFirstThenTheAdviceClosestTypeFirst() throws Exception {
    assertThat(call(3, 0, "")).isEqualTo(Response.failure("own: bad argument in illegalArgument"));
    assertThat(call(4, 0, "")).isEqualTo(Response.failure(3, "state: bad state".getBytes(UTF_8)));
    assertThat(call(5, 0, ""))
        .isEqualTo(Response.failure("runtime UnsupportedOperationException for type 5"));
  }

  @Test
  void aFailedStageGoesToTheExceptionHandlersToo() throws Exception {
    assertThat(call(6, 0, "")).isEqualTo(Response.ok("found nothing: order 7"));
  }

  @Test
  void anExceptionNoHandlerTakesIsTheConnectionsToAnswer() throws Exception {
    assertThat(call(9, 0, "")).isEqualTo(Response.failure());
    assertThat(second.calls)
        .anySatisfy(
            c -> assertThat(c).startsWith("second after 9 failure java.lang.AssertionError"));
  }

  @Test
  void theApplicationsResolversAndReturnValueHandlersComeFirst() throws Exception {
    assertThat(call(7, 4, "")).isEqualTo(Response.ok("tenant 40 flags 4"));
    assertThat(call(8, 0, "there")).isEqualTo(Response.ok("there"));
    assertThat(call(8, 0, "")).isEqualTo(Response.failure("absent"));
  }

  @Test
  void anAnnotatedPayloadIsDecodedWhateverItsType() throws Exception {
    assertThat(
            call(
                10,
                0,
                "{\"connectionName\":\"elsewhere\",\"remoteAddress\":\"\","
                    + "\"channel\":0,\"tag\":0,\"rqType\":0,\"flags\":0}"))
        .isEqualTo(Response.ok("elsewhere sent, on type 10"));
    assertThat(call(11, 7, "text")).isEqualTo(Response.ok("text/7"));
  }

  @Test
  void theApplicationsReturnValueHandlersComeBeforeTheStartersOwnKinds() throws Exception {
    // a String would be the starter's text kind; the application's handler claims it first
    assertThat(call(12, 0, "quiet")).isEqualTo(Response.ok("QUIET!"));
    // the application's kind that completes later: its value is encoded as the type argument
    assertThat(call(13, 0, "tea")).isEqualTo(Response.ok("{\"item\":\"tea\",\"count\":3}"));
    // its failure goes to the exception handlers, as a thrown exception's does
    assertThat(call(14, 0, "")).isEqualTo(Response.failure(3, "state: later".getBytes(UTF_8)));
    // the value of the starter's own stage kind is mapped by the application's handler
    assertThat(call(15, 0, "there")).isEqualTo(Response.ok("there"));
    assertThat(call(15, 0, "")).isEqualTo(Response.failure("absent"));
  }

  @Test
  void interceptorsRunInOrderAroundTheCallAndMayAnswerInstead() throws Exception {
    assertThat(call(2, 0, "{\"item\":\"x\",\"count\":5}")).isEqualTo(Response.ok("unchecked 5"));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.calls.size() == 2);
    assertThat(first.calls)
        .containsExactly("first pre 2 unchecked", "first after 2 ok unchecked 5");
    assertThat(second.calls)
        .containsExactly("second pre 2 unchecked", "second after 2 ok unchecked 5");

    first.calls.clear();
    second.calls.clear();
    assertThat(call(2, 666, "{\"item\":\"x\",\"count\":5}"))
        .isEqualTo(Response.failure("not authorised"));
    // the first let it through and hears the answer; the second answered, the method never ran
    assertThat(first.calls)
        .containsExactly("first pre 2 unchecked", "first after 2 not-ok not authorised");
    assertThat(second.calls).containsExactly("second pre 2 unchecked");

    first.calls.clear();
    assertThat(call(6, 0, "")).isEqualTo(Response.ok("found nothing: order 7"));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.calls.size() == 2);
    assertThat(first.calls)
        .containsExactly("first pre 6 missingLater", "first after 6 ok found nothing: order 7");
  }
}
