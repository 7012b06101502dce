package io.packetstream.spring.observation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.TestApplication;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Every request is an observation with the documented names and keys, and a span through a real
 * tracer: real traffic over TCP into the starter's server, its handlers calling the peer back.
 */
@SpringBootTest(
    classes = {TestApplication.class, RequestObservationTest.Tracing.class},
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.server.name=orders"
    })
class RequestObservationTest {

  @TestConfiguration(proxyBeanMethods = false)
  static class Tracing {
    final SimpleTracer tracer = new SimpleTracer();

    /** Every observation stopped, as its handlers saw it. */
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    @Bean
    TestObservationRegistry observationRegistry() {
      TestObservationRegistry registry = TestObservationRegistry.create();
      registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
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
      return registry;
    }
  }

  @Autowired TestObservationRegistry registry;
  @Autowired Tracing tracing;
  @Autowired PacketStreamServer server;

  private List<Observation.Context> contexts(String name, String key, String value) {
    return tracing.stopped.stream()
        .filter(c -> name.equals(c.getName()))
        .filter(
            c ->
                c.getLowCardinalityKeyValue(key) != null
                    && value.equals(c.getLowCardinalityKeyValue(key).getValue()))
        .toList();
  }

  @Test
  void eachRequestIsAnObservationWithItsOutcomeAndASpan() throws Exception {
    try (PacketConnection c =
        PacketClient.connect(
            "127.0.0.1",
            server.port(),
            PacketConnection.builder().handler(rq -> Response.ok(rq.text().toUpperCase())))) {
      assertThat(c.submit(2, 0, "a".getBytes(UTF_8)).get(10, TimeUnit.SECONDS).ok()).isTrue();
      assertThat(c.submit(12, 0, "b".getBytes(UTF_8)).get(10, TimeUnit.SECONDS).ok()).isFalse();
      assertThat(c.submit(9, 0, "{".getBytes(UTF_8)).get(10, TimeUnit.SECONDS).ok()).isFalse();
      assertThat(c.submit(4242, 0, new byte[0]).get(10, TimeUnit.SECONDS).ok()).isFalse();
      // the server's handler calls this peer back: an outbound request of the server
      assertThat(c.submit(15, 0, "x".getBytes(UTF_8)).get(10, TimeUnit.SECONDS).text())
          .isEqualTo("peer said X");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                contexts("packetstream.server.requests", "rq.type", "15").size() == 1
                    && contexts("packetstream.server.requests", "rq.type", "15")
                        .get(0)
                        .getLowCardinalityKeyValue("outcome")
                        .getValue()
                        .equals("SUCCESS"));

    String server = "packetstream.server.requests";
    assertThat(contexts(server, "outcome", "SUCCESS"))
        .anySatisfy(
            ctx -> assertThat(ctx.getLowCardinalityKeyValue("rq.type").getValue()).isEqualTo("2"));
    assertThat(contexts(server, "outcome", "SERVER_ERROR"))
        .singleElement()
        .satisfies(
            ctx -> assertThat(ctx.getLowCardinalityKeyValue("rq.type").getValue()).isEqualTo("12"));
    assertThat(contexts(server, "outcome", "CLIENT_ERROR"))
        .extracting(ctx -> ctx.getLowCardinalityKeyValue("rq.type").getValue())
        .containsExactlyInAnyOrder("9", "unknown");
    // a type nobody handles keeps no number of its own, and is the peer's mistake
    assertThat(contexts(server, "rq.type", "unknown"))
        .singleElement()
        .satisfies(
            ctx ->
                assertThat(ctx.getLowCardinalityKeyValue("outcome").getValue())
                    .isEqualTo("CLIENT_ERROR"));
    for (Observation.Context ctx : contexts(server, "name", "orders")) {
      assertThat(ctx.getLowCardinalityKeyValue("role").getValue()).isEqualTo("server");
      assertThat(ctx.getLowCardinalityKeyValue("channel").getValue()).isEqualTo("0");
      assertThat(ctx.getHighCardinalityKeyValue("connection").getValue()).startsWith("orders#");
      assertThat(ctx.getLowCardinalityKeyValues().stream().map(k -> k.getKey()))
          .doesNotContain("connection", "tag", "remote");
    }
    assertThat(contexts(server, "name", "orders")).hasSize(5);

    List<Observation.Context> outbound = contexts("packetstream.client.requests", "role", "server");
    assertThat(outbound)
        .singleElement()
        .satisfies(
            ctx -> {
              assertThat(ctx.getLowCardinalityKeyValue("rq.type").getValue()).isEqualTo("2");
              assertThat(ctx.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("SUCCESS");
            });
    io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat(registry)
        .doesNotHaveAnyRemainingCurrentObservation();

    List<SimpleSpan> spans = List.copyOf(tracing.tracer.getSpans());
    assertThat(spans)
        .anySatisfy(
            s -> {
              assertThat(s.getName()).isEqualTo("packetstream serve 2");
              assertThat(s.getTags())
                  .containsEntry("outcome", "SUCCESS")
                  .containsEntry("rq.type", "2")
                  .containsKey("connection");
              assertThat(s.getEndTimestamp()).isNotNull();
            });
    assertThat(spans).anySatisfy(s -> assertThat(s.getName()).isEqualTo("packetstream call 2"));
  }
}
