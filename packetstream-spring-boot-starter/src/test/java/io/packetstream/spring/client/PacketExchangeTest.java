package io.packetstream.spring.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.client.ExchangeServer.Order;
import io.packetstream.spring.client.ExchangeServer.Problem;
import io.packetstream.spring.client.ExchangeServer.Receipt;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Mono;

/**
 * Typed calls and exchange interfaces of a client context against a server context, over TCP on
 * 127.0.0.1: each answer kind, flags and channels both ways, a not-ok answer as a typed exception,
 * timeouts per call and from the client's properties, and interfaces registered by annotation
 * ({@link Orders}, client "shop") and by property ({@link Lowercase}, client "other").
 */
@SpringBootTest(
    classes = PacketExchangeTest.ClientApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.clients.shop.host=127.0.0.1",
      "packetstream.clients.shop.request-timeout=2s",
      "packetstream.clients.other.host=127.0.0.1",
      "packetstream.clients.other.exchanges=io.packetstream.spring.client.Lowercase",
      "packetstream.observations.enabled=false"
    })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacketExchangeTest {

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @ImportPacketExchanges(client = "shop", types = Orders.class)
  static class ClientApp {}

  private static ConfigurableApplicationContext server;

  @DynamicPropertySource
  static void serverPort(DynamicPropertyRegistry registry) {
    if (server == null) {
      server = ExchangeServer.start();
    }
    int port = ExchangeServer.port(server);
    registry.add("packetstream.clients.shop.port", () -> port);
    registry.add("packetstream.clients.other.port", () -> port);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.getBean(ExchangeServer.Handlers.class).release();
      server.close();
      server = null;
    }
  }

  @Autowired
  @Qualifier("shop")
  PacketStreamClient shop;

  @Autowired
  @Qualifier("other")
  PacketStreamClient other;

  @Autowired Orders orders;

  @Autowired
  @Qualifier("other")
  Lowercase lowercase;

  @Autowired ApplicationContext context;

  @BeforeEach
  void connected() throws InterruptedException {
    assertThat(shop.awaitConnected(Duration.ofSeconds(20))).isTrue();
    assertThat(other.awaitConnected(Duration.ofSeconds(20))).isTrue();
  }

  private ExchangeServer.Handlers handlers() {
    return server.getBean(ExchangeServer.Handlers.class);
  }

  // ------------------------------------------------------------------ typed calls

  @Test
  void typedCallsEncodeThePayloadAndReadTheAnswerAsAsked() throws Exception {
    assertThat(shop.submit(1, new Order("tea", 2), Receipt.class).get())
        .isEqualTo(new Receipt("2 x tea", 0));
    assertThat(shop.submit(0, 1, 5, new Order("tea", 1), Receipt.class, Duration.ZERO).get())
        .isEqualTo(new Receipt("1 x tea", 5));
    assertThat(shop.submit(0, 2, 41, null, Long.class, Duration.ZERO).get()).isEqualTo(42L);
    assertThat(shop.submit(3, "abc", String.class).get()).isEqualTo("ABC");
    assertThat(shop.submit(2, 3, 0, "ABC", String.class, Duration.ZERO).get()).isEqualTo("abc");
    assertThat(shop.submit(8, ByteBuffer.wrap(new byte[] {1, 2, 3}), byte[].class).get())
        .containsExactly(1, 2, 3);
    assertThat(shop.submit(8, null, Receipt.class).get()).isNull();
  }

  @Test
  void aNotOkAnswerFailsATypedCallWithItsFlagsAndPayload() {
    CompletableFuture<Receipt> call = shop.submit(4, "out of tea", Receipt.class);

    assertThatThrownBy(call::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            PacketRequestFailedException.class,
            e -> {
              assertThat(e.flags()).isEqualTo(7);
              assertThat(e.requestType()).isEqualTo(4);
              assertThat(e.channel()).isZero();
              assertThat(e.payload(Problem.class)).isEqualTo(new Problem("out of tea"));
              assertThat(new String(e.payload(), UTF_8)).contains("out of tea");
              assertThat(e.getMessage())
                  .contains("shop", "request type 4", "flags 7", "out of tea");
            });
  }

  @Test
  void aTypedCallForTheResponseGetsANotOkAnswerAsItCame() throws Exception {
    Response answer = shop.submit(4, "out of tea", Response.class).get();

    assertThat(answer.ok()).isFalse();
    assertThat(answer.flags()).isEqualTo(7);
    assertThat(answer.text()).contains("out of tea");
  }

  @Test
  void aTypedCallWithItsOwnTimeoutFailsWhenTheAnswerDoesNotCome() {
    // "other" has no request-timeout: only the call's own ends it
    CompletableFuture<String> call =
        other.submit(0, 5, 0, "x", String.class, Duration.ofMillis(200));

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void aTypedCallUsesTheClientsRequestTimeoutByDefault() {
    CompletableFuture<String> call = shop.submit(5, "x", String.class);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void aTypedCallRefusesAResultTypeItCannotRead() {
    assertThatThrownBy(() -> shop.submit(3, "x", java.util.Optional.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Optional");
  }

  // ------------------------------------------------------------------ exchanges

  @Test
  void anExchangeWaitsForAndReadsEachKindOfAnswer() throws Exception {
    assertThat(orders.order(new Order("tea", 3), 9)).isEqualTo(new Receipt("3 x tea", 9));
    assertThat(orders.orderLater(new Order("cake", 1)).get()).isEqualTo(new Receipt("1 x cake", 0));
    assertThat(orders.nextFlags(41)).isEqualTo(42);
    assertThat(orders.nextIntFlags(6)).isEqualTo(7);
    assertThat(orders.upper("abc")).isEqualTo("ABC");
    assertThat(orders.receipts("tea"))
        .containsExactly(
            new Receipt("1 x tea", 1), new Receipt("2 x tea", 2), new Receipt("3 x tea", 3));
    assertThat(orders.bytes(new byte[] {4, 5})).isEqualTo(ByteBuffer.wrap(new byte[] {4, 5}));
    assertThat(orders.nothing(new byte[0])).isNull();
    assertThat(orders.shout("hey")).isEqualTo("HEY!");
  }

  @Test
  void anExchangeSendsOnItsChannel() throws Exception {
    assertThat(orders.lower("ABC").toCompletableFuture().get()).isEqualTo("abc");
    assertThat(lowercase.lower("XYZ")).isEqualTo("xyz");
  }

  @Test
  void aVoidExchangeReturnsOnlyOnceAnswered() {
    orders.touch("key-1");

    assertThat(handlers().touched).contains("key-1");
    assertThatThrownBy(() -> orders.refuseVoid("no"))
        .isInstanceOf(PacketRequestFailedException.class);
  }

  @Test
  void aNotOkAnswerRaisesATypedExceptionOrIsReturnedAsAResponse() {
    assertThatThrownBy(() -> orders.refuse("out of cake"))
        .isInstanceOfSatisfying(
            PacketRequestFailedException.class,
            e -> {
              assertThat(e.flags()).isEqualTo(7);
              assertThat(e.payload(Problem.class)).isEqualTo(new Problem("out of cake"));
            });
    assertThatThrownBy(() -> orders.refuseLater("later").get())
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(PacketRequestFailedException.class);

    Response raw = orders.refuseRaw("raw");
    assertThat(raw.ok()).isFalse();
    assertThat(raw.flags()).isEqualTo(7);
  }

  @Test
  void anExchangeThatGetsNoAnswerEndsAtTheClientsRequestTimeout() {
    assertThatThrownBy(() -> orders.hang("x"))
        .isInstanceOf(PacketRequestTimeoutException.class)
        .hasMessageContaining("Orders.hang(String)")
        .cause()
        .isInstanceOf(TimeoutException.class);
    assertThatThrownBy(() -> orders.hangDeclared("x")).isInstanceOf(TimeoutException.class);
    assertThatThrownBy(() -> orders.hangLater("x").get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class);
  }

  /**
   * A Mono-returning exchange sends its request when subscribed to, not when called, ends with the
   * answer or the failure the future form gives, and a cancelled subscription cancels the call.
   */
  @Test
  void aMonoExchangeSendsWhenSubscribedAndCancelsWithItsSubscription() throws Exception {
    assertThat(orders.upperMono("abc").block(Duration.ofSeconds(10))).isEqualTo("ABC");
    assertThatThrownBy(() -> orders.refuseMono("no stock").block(Duration.ofSeconds(10)))
        .isInstanceOf(PacketRequestFailedException.class);
    ExchangeServer.Handlers handlers = server.getBean(ExchangeServer.Handlers.class);
    int hanging = handlers.hanging.size();

    Mono<String> later = orders.hangMono("x");
    // nothing is sent before a subscriber asks: a call answered since went out after it
    assertThat(orders.upper("after")).isEqualTo("AFTER");
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> handlers.hanging.size() == hanging);

    reactor.core.Disposable subscription = later.subscribe();
    await().atMost(Duration.ofSeconds(10)).until(() -> handlers.hanging.size() == hanging + 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> shop.connection().orElseThrow().pendingRequests() == 1);
    subscription.dispose();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> shop.connection().orElseThrow().pendingRequests() == 0);

    Mono<Void> touched = orders.touchMono("mono");
    assertThat(touched.block(Duration.ofSeconds(10))).isNull();
    assertThat(handlers.touched.poll(10, TimeUnit.SECONDS)).isEqualTo("mono");
  }

  /**
   * A block() in work chained on an answer runs on the event loop that read it: Reactor refuses it
   * at once, naming the thread, as on Reactor Netty's loops; it stalled every connection of the
   * loop until its own timeout.
   */
  @Test
  void blockingOnTheEventLoopInAMonosChainFailsAtOnce() throws Exception {
    ExchangeServer.Handlers handlers = server.getBean(ExchangeServer.Handlers.class);
    int hanging = handlers.hanging.size();
    CompletableFuture<String> chained =
        orders
            .hangMono("a")
            .map(a -> a + orders.upperMono("b").block(Duration.ofSeconds(5)))
            .toFuture();
    await().atMost(Duration.ofSeconds(10)).until(() -> handlers.hanging.size() == hanging + 1);

    // the answer comes now, read by the client's event loop, where the chain goes on
    handlers.hanging.get(hanging).complete("answered");

    assertThatThrownBy(() -> chained.get(4, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("are blocking, which is not supported in thread packetstream-io");
    assertThat(orders.upper("still serving")).isEqualTo("STILL SERVING");
  }

  @Test
  void interfacesAreRegisteredPerClientByAnnotationAndByProperty() {
    assertThat(context.getBeanNamesForType(Orders.class))
        .containsExactly("shop." + Orders.class.getName());
    assertThat(context.getBeanNamesForType(Lowercase.class))
        .containsExactly("other." + Lowercase.class.getName());
    assertThat(orders.toString()).contains("Orders", "shop");
    assertThat(lowercase.toString()).contains("Lowercase", "other");
  }

  // ------------------------------------------------------------------ Kotlin suspend functions

  @Test
  void suspendFunctionsResumeWithTheAnswer() throws Throwable {
    // a suspend exchange method was refused: its continuation taken for a second payload
    assertThat(resumed(c -> orders.orderSuspending(new Order("tea", 2), c)))
        .isEqualTo(new Receipt("2 x tea", 0));
    assertThat(resumed(c -> orders.receiptsSuspending("tea", c)))
        .isEqualTo(
            java.util.List.of(
                new Receipt("1 x tea", 1), new Receipt("2 x tea", 2), new Receipt("3 x tea", 3)));
  }

  @Test
  void suspendFunctionsOfNoResultResumeWithUnitWhateverTheAnswerCarries() throws Throwable {
    // the answer was read as a kotlin.Unit by the codec: start-up needed a codec, and an answer
    // with a payload failed
    assertThat(resumed(c -> orders.touchSuspending("key", c))).isSameAs(kotlin.Unit.INSTANCE);
    assertThat(resumed(c -> orders.upperIgnored("abc", c))).isSameAs(kotlin.Unit.INSTANCE);
  }

  @Test
  void suspendFunctionsResumeWithTheFailuresTheBlockingFormThrows() {
    assertThatThrownBy(() -> resumed(c -> orders.refuseSuspending("out of cake", c)))
        .isInstanceOfSatisfying(
            PacketRequestFailedException.class,
            e -> assertThat(e.payload(Problem.class)).isEqualTo(new Problem("out of cake")));
    assertThatThrownBy(() -> resumed(c -> orders.hangSuspending("wait", c)))
        .isInstanceOf(PacketRequestTimeoutException.class)
        .hasMessageStartingWith("Orders.hangSuspending(String, Continuation): ");
  }

  @Test
  void suspendFunctionsResumeOffTheEventLoop() throws Throwable {
    // a caller without a dispatcher resumed on the event loop thread that read the answer, where
    // code that blocks stalled every connection of the loop. An answer that is there before the
    // call suspends is returned at once, on the caller's thread: tried until one call suspends
    for (int attempt = 0; attempt < 50; attempt++) {
      Thread[] on = new Thread[1];
      CompletableFuture<Object> done = new CompletableFuture<>();
      Object returned =
          orders.orderSuspending(
              new Order("tea", 1),
              continuation(
                  kotlin.coroutines.EmptyCoroutineContext.INSTANCE,
                  result -> {
                    on[0] = Thread.currentThread();
                    done.complete(result);
                  }));
      if (returned == kotlin.coroutines.intrinsics.IntrinsicsKt.getCOROUTINE_SUSPENDED()) {
        assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(new Receipt("1 x tea", 0));
        assertThat(on[0].getName()).startsWith("packetstream-resume-");
        return;
      }
      assertThat(returned).isEqualTo(new Receipt("1 x tea", 0));
    }
    throw new AssertionError("no call suspended in 50");
  }

  @Test
  void aCancelledCoroutineCancelsTheCall() throws Exception {
    PacketConnection connection = shop.connection().orElseThrow();
    kotlinx.coroutines.CompletableJob job = kotlinx.coroutines.JobKt.Job(null);
    CompletableFuture<Object> done = new CompletableFuture<>();
    Object returned = orders.hangSuspending("wait", continuation(job, done::complete));
    assertThat(returned)
        .isSameAs(kotlin.coroutines.intrinsics.IntrinsicsKt.getCOROUTINE_SUSPENDED());
    int during = connection.pendingRequests();
    assertThat(during).isPositive();

    job.cancel(null);

    assertThat(done.get(20, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            kotlin.Result.Failure.class,
            f ->
                assertThat(f.exception)
                    .isInstanceOf(java.util.concurrent.CancellationException.class));
    // the request is given up, not left pending until its timeout (2 s, the client's)
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(1))
        .until(() -> connection.pendingRequests() < during);
  }

  /** A continuation in {@code context} that hands what it is resumed with to {@code resumed}. */
  private static kotlin.coroutines.Continuation<Object> continuation(
      kotlin.coroutines.CoroutineContext context, java.util.function.Consumer<Object> resumed) {
    return new kotlin.coroutines.Continuation<>() {
      @Override
      public kotlin.coroutines.CoroutineContext getContext() {
        return context;
      }

      @Override
      public void resumeWith(Object result) {
        resumed.accept(result);
      }
    };
  }

  /**
   * Calls a suspend function as compiled Kotlin does: what it returns, unless that is the marker
   * that it suspended, else what it resumes its continuation with (a failure is thrown).
   */
  private static Object resumed(
      java.util.function.Function<kotlin.coroutines.Continuation<Object>, Object> call)
      throws Throwable {
    CompletableFuture<Object> resumed = new CompletableFuture<>();
    Object returned =
        call.apply(
            continuation(
                kotlin.coroutines.EmptyCoroutineContext.INSTANCE,
                result -> {
                  if (result instanceof kotlin.Result.Failure failure) {
                    resumed.completeExceptionally(failure.exception);
                  } else {
                    resumed.complete(result);
                  }
                }));
    if (returned != kotlin.coroutines.intrinsics.IntrinsicsKt.getCOROUTINE_SUSPENDED()) {
      return returned;
    }
    try {
      return resumed.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }
}
