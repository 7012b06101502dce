package io.packetstream.spring.observation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The request's observation, and the span a real tracer made of it, are current on the thread that
 * runs the handler: in the method, its interceptors and its exception handlers (also when a stage
 * fails on another thread), and for the requests it sends; a failure answered as a server error is
 * the observation's error. Real traffic over TCP into a real application.
 */
@SpringBootTest(
    classes = HandlerObservationScopeTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.server.name=scoped"
    })
@Timeout(60)
class HandlerObservationScopeTest {

  /** What was current where: "where type" to the observation's context and the current span. */
  record Seen(Observation.Context context, SimpleSpan span, String thread) {}

  static final class Sightings {
    final Map<String, Seen> seen = new ConcurrentHashMap<>();
    final SimpleTracer tracer = new SimpleTracer();
    TestObservationRegistry registry;

    void record(String where, Request request) {
      Observation current = registry.getCurrentObservation();
      seen.put(
          where + " " + request.rqType(),
          new Seen(
              current == null ? null : current.getContext(),
              (SimpleSpan) tracer.currentSpan(),
              Thread.currentThread().getName()));
    }
  }

  static class Handlers {
    private final Sightings sightings;
    volatile CompletableFuture<String> pending;

    Handlers(Sightings sightings) {
      this.sightings = sightings;
    }

    @PacketHandler(1)
    String traced(String text, Request request) {
      sightings.record("method", request);
      return text;
    }

    @PacketHandler(2)
    String fails(Request request) {
      sightings.record("method", request);
      throw new IllegalStateException("boom");
    }

    @PacketHandler(3)
    String handled(Request request) {
      throw new IllegalArgumentException("handled");
    }

    @PacketHandler(4)
    CompletableFuture<String> failsLater(Request request) {
      // the test fails it, on its own thread, once the starter waits for it
      pending = new CompletableFuture<>();
      return pending;
    }

    @PacketHandler(5)
    CompletableFuture<Response> callsBack(Request request, PacketConnection connection) {
      return connection.submit(1, 0, "ping".getBytes(UTF_8));
    }

    @PacketHandler(6)
    String decodes(Map<String, Integer> payload) {
      return "read";
    }

    @PacketExceptionHandler
    String illegalArgument(IllegalArgumentException e, Request request) {
      sightings.record("exception handler", request);
      return "handled " + e.getMessage();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Handlers.class)
  static class App {

    @Bean
    Sightings sightings() {
      return new Sightings();
    }

    @Bean
    TestObservationRegistry observationRegistry(
        Sightings sightings, List<Observation.Context> stopped) {
      TestObservationRegistry registry = TestObservationRegistry.create();
      registry
          .observationConfig()
          .observationHandler(new DefaultTracingObservationHandler(sightings.tracer));
      registry
          .observationConfig()
          .observationHandler(
              new ObservationHandler<>() {
                @Override
                public boolean supportsContext(Observation.Context context) {
                  return true;
                }

                @Override
                public void onStop(Observation.Context context) {
                  stopped.add(context);
                }
              });
      sightings.registry = registry;
      return registry;
    }

    @Bean
    List<Observation.Context> stopped() {
      return new CopyOnWriteArrayList<>();
    }

    @Bean
    PacketHandlerInterceptor recordingInterceptor(Sightings sightings) {
      return new PacketHandlerInterceptor() {
        @Override
        public Response preHandle(Request request, PacketHandlerMethod handler) {
          sightings.record("preHandle", request);
          return null;
        }

        @Override
        public void afterCompletion(
            Request request, PacketHandlerMethod handler, Response answer, Throwable failure) {
          sightings.record("afterCompletion", request);
        }
      };
    }
  }

  @Autowired Sightings sightings;
  @Autowired TestObservationRegistry registry;
  @Autowired PacketStreamServer server;
  @Autowired List<Observation.Context> stopped;
  @Autowired Handlers handlers;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client =
        PacketClient.connect(
            "127.0.0.1",
            server.port(),
            PacketConnection.builder().handler(rq -> Response.ok("pong")));
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type, String payload) throws Exception {
    return client.submit(type, 0, payload.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
  }

  private Observation.Context stoppedServer(long type) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                stopped.stream()
                    .anyMatch(
                        c ->
                            c instanceof PacketStreamObservationContext p
                                && p.direction().name().equals("INBOUND")
                                && p.requestType() == type));
    return stopped.stream()
        .filter(
            c ->
                c instanceof PacketStreamObservationContext p
                    && p.direction().name().equals("INBOUND")
                    && p.requestType() == type)
        .findFirst()
        .orElseThrow();
  }

  /** The span the tracer made of {@code context}, named as the convention says. */
  private SimpleSpan span(Observation.Context context) {
    return sightings.tracer.getSpans().stream()
        .filter(
            s ->
                s.getName().equals(context.getContextualName())
                    && s.getTags()
                        .get("tag")
                        .equals(context.getHighCardinalityKeyValue("tag").getValue()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theRequestsObservationAndSpanAreCurrentInTheMethodAndItsInterceptors() throws Exception {
    assertThat(call(1, "a")).isEqualTo(Response.ok("a"));
    Observation.Context context = stoppedServer(1);
    SimpleSpan span = span(context);
    for (String where : List.of("preHandle", "method", "afterCompletion")) {
      Seen seen = sightings.seen.get(where + " 1");
      assertThat(seen).as(where).isNotNull();
      assertThat(seen.context()).as(where).isSameAs(context);
      assertThat(seen.span()).as(where).isSameAs(span);
    }
    assertThat(span.getName()).isEqualTo("packetstream serve 1");
    assertThat(context.getError()).isNull();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                TestObservationRegistryAssert.assertThat(registry)
                    .doesNotHaveAnyRemainingCurrentObservation());
    // nothing stays current on the test's thread either
    assertThat(sightings.tracer.currentSpan()).isNull();
  }

  @Test
  void aServerErrorIsTheObservationsErrorAndTheSpansError() throws Exception {
    assertThat(call(2, "").ok()).isFalse();
    Observation.Context context = stoppedServer(2);
    assertThat(context.getError()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(context.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("SERVER_ERROR");
    assertThat(span(context).getError()).isSameAs(context.getError());
    assertThat(sightings.seen.get("method 2").context()).isSameAs(context);
  }

  @Test
  void aFailureAnExceptionHandlerAnswersOrThePeersMistakeIsNoError() throws Exception {
    // an exception handler's text is a not-ok answer, chosen by the application
    assertThat(call(3, "")).isEqualTo(Response.failure("handled handled"));
    Observation.Context handled = stoppedServer(3);
    assertThat(handled.getError()).isNull();
    assertThat(sightings.seen.get("exception handler 3").context()).isSameAs(handled);
    assertThat(sightings.seen.get("exception handler 3").span()).isSameAs(span(handled));

    assertThat(call(6, "{").ok()).isFalse();
    Observation.Context malformed = stoppedServer(6);
    assertThat(malformed.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("CLIENT_ERROR");
    assertThat(malformed.getError()).isNull();
  }

  @Test
  void aStageThatFailsOnAnotherThreadIsHandledInTheRequestsScope() throws Exception {
    CompletableFuture<Response> answer = client.submit(4, 0, new byte[0]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> handlers.pending != null && handlers.pending.getNumberOfDependents() > 0);
    handlers.pending.completeExceptionally(new IllegalArgumentException("later"));
    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Response.failure("handled later"));
    Observation.Context context = stoppedServer(4);
    Seen seen = sightings.seen.get("exception handler 4");
    assertThat(seen.thread()).isEqualTo(Thread.currentThread().getName());
    assertThat(seen.context()).isSameAs(context);
    assertThat(seen.span()).isSameAs(span(context));
  }

  @Test
  void aRequestTheHandlerSendsIsAChildOfTheRequestItServes() throws Exception {
    assertThat(call(5, "").text()).isEqualTo("pong");
    Observation.Context server = stoppedServer(5);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                stopped.stream()
                    .anyMatch(
                        c ->
                            c instanceof PacketStreamObservationContext p
                                && p.direction().name().equals("OUTBOUND")));
    PacketStreamObservationContext outbound =
        stopped.stream()
            .filter(
                c ->
                    c instanceof PacketStreamObservationContext p
                        && p.direction().name().equals("OUTBOUND"))
            .map(PacketStreamObservationContext.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(outbound.getParentObservation()).isNotNull();
    assertThat(outbound.getParentObservation().getContextView()).isSameAs(server);
    SimpleSpan child = span(outbound);
    assertThat(child.getName()).isEqualTo("packetstream call 1");
    assertThat(child.getTraceId()).isEqualTo(span(server).getTraceId());
    assertThat(child.getParentId()).isEqualTo(span(server).getSpanId());
  }
}
