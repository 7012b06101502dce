package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reactor returns, malformed payloads and unknown request types, over real TCP to the real server
 * of an application with Reactor on its class path.
 */
@SpringBootTest(
    classes = ReactiveAndBadRequestTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.max-collected-values=" + ReactiveAndBadRequestTest.MAX_VALUES
    })
@ExtendWith(OutputCaptureExtension.class)
class ReactiveAndBadRequestTest {

  static final int MAX_VALUES = 50;

  /** Values the endless publishers have given, and whether their subscriptions were cancelled. */
  static final AtomicInteger endlessValues = new AtomicInteger();

  static final CountDownLatch endlessCancelled = new CountDownLatch(1);

  public record Item(String name, int count) {}

  static class ReactiveHandlers {

    @PacketHandler(1)
    Mono<String> monoText(String text) {
      return Mono.fromSupplier(() -> "mono " + text).delayElement(Duration.ofMillis(5));
    }

    @PacketHandler(2)
    Mono<Item> monoJson(Item item) {
      return Mono.just(new Item(item.name(), item.count() + 1));
    }

    @PacketHandler(3)
    Flux<Item> fluxAsList(Item item) {
      return Flux.range(1, item.count()).map(i -> new Item(item.name() + i, i));
    }

    @PacketHandler(4)
    Mono<String> monoEmpty() {
      return Mono.empty();
    }

    @PacketHandler(5)
    Mono<Void> monoVoid() {
      return Mono.empty();
    }

    @PacketHandler(6)
    Mono<String> monoRefuses() {
      return Mono.error(new RequestFailedException(5, "refused".getBytes(UTF_8)));
    }

    /** A reactive value behind a method declared as Object. */
    @PacketHandler(7)
    Object monoAsObject(String text) {
      return Mono.just("object " + text);
    }

    @PacketHandler(8)
    Item json(Item item) {
      return item;
    }

    /** Declared multi-value, though the value is a Mono: answered as its declaration says. */
    @PacketHandler(9)
    Publisher<String> publisherOfMono(String text) {
      return Mono.just(text);
    }

    /** Never completes: collected up to the limit, then cancelled. */
    @PacketHandler(11)
    Flux<Integer> endless() {
      return Flux.<Integer>generate(sink -> sink.next(endlessValues.incrementAndGet()))
          .doOnCancel(endlessCancelled::countDown);
    }

    /** Declared single-value, though the value is a Flux: answered with its one value. */
    @PacketHandler(10)
    Mono<String> monoOfFlux(String text) {
      return Flux.just(text).next();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(ReactiveHandlers.class)
  static class App {}

  @Autowired PacketStreamServer server;
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

  @Test
  void monoIsAnsweredWithItsValue() throws Exception {
    assertThat(call(1, "x")).isEqualTo(Response.ok("mono x"));
    assertThat(call(2, "{\"name\":\"a\",\"count\":1}").text())
        .isEqualTo("{\"name\":\"a\",\"count\":2}");
    assertThat(call(7, "y")).isEqualTo(Response.ok("object y"));
  }

  @Test
  void fluxIsAnsweredWithTheListOfItsValues() throws Exception {
    assertThat(call(3, "{\"name\":\"n\",\"count\":2}").text())
        .isEqualTo("[{\"name\":\"n1\",\"count\":1},{\"name\":\"n2\",\"count\":2}]");
  }

  @Test
  void theDeclaredTypeDecidesBetweenOneValueAndAList() throws Exception {
    assertThat(call(9, "x").text()).isEqualTo("[\"x\"]");
    assertThat(call(10, "y")).isEqualTo(Response.ok("y"));
  }

  @Test
  void aFluxIsCollectedUpToTheLimitThenCancelledAndAnsweredNotOk() throws Exception {
    String fifty = "{\"name\":\"n\",\"count\":" + MAX_VALUES + "}";
    assertThat(call(3, fifty).text()).startsWith("[{\"name\":\"n1\"").contains("\"n50\"");

    Response r = call(11, "");

    assertThat(r.ok()).isFalse();
    assertThat(r.text())
        .isEqualTo("answer too large: more than 50 values (packetstream.max-collected-values)");
    assertThat(endlessCancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(endlessValues.get()).isEqualTo(MAX_VALUES + 1);
    // the connection goes on serving
    assertThat(call(1, "z")).isEqualTo(Response.ok("mono z"));
  }

  @Test
  void emptyMonosAnswerOkWithNothingAndErrorsAnswerNotOk() throws Exception {
    assertThat(call(4, "")).isEqualTo(Response.empty());
    assertThat(call(5, "")).isEqualTo(Response.empty());
    assertThat(call(6, "")).isEqualTo(Response.failure(5, "refused".getBytes(UTF_8)));
  }

  @Test
  void malformedJsonIsAClientErrorWithAClearTextAndNoStackTrace(CapturedOutput output)
      throws Exception {
    Response r = call(8, "{\"name\": ");
    assertThat(r.ok()).isFalse();
    assertThat(r.text()).startsWith("cannot read the payload as Item: ").doesNotContain("\n");
    Response wrongType = call(8, "{\"name\":\"a\",\"count\":\"many\"}");
    assertThat(wrongType.ok()).isFalse();
    assertThat(wrongType.text()).startsWith("cannot read the payload as Item: ");
    // Jackson's own words, without a location that names no source and means nothing to the peer
    assertThat(r.text()).doesNotContain("Source:").doesNotContain("REDACTED");
    assertThat(wrongType.text()).doesNotContain("Source:").doesNotContain("REDACTED");
    Response unclosed = call(8, "{\"name\":\"a\",\"count\":1");
    assertThat(unclosed.text())
        .startsWith("cannot read the payload as Item: ")
        .doesNotContain("Source:")
        .doesNotContain("REDACTED");
    assertThat(output.getOut())
        .doesNotContain("handler failed")
        .doesNotContain("WARN")
        .doesNotContain("JacksonException");
    // the connection goes on serving
    assertThat(call(8, "{\"name\":\"b\",\"count\":1}").ok()).isTrue();
  }

  @Test
  void anUnknownTypeIsAnsweredNotOkWithoutAWarning(CapturedOutput output) throws Exception {
    for (int i = 0; i < 3; i++) {
      Response r = call(99, "");
      assertThat(r.ok()).isFalse();
      assertThat(r.text()).isEqualTo("no @PacketHandler for request type 99 on channel 0");
    }
    assertThat(output.getOut()).doesNotContain("WARN");
  }
}
