package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.Response;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A call that waits for its answer, made in an answer's callback (which runs on the event loop that
 * read the answer, the thread that would have to read the awaited answer too), is refused with an
 * {@link IllegalStateException} before anything is sent, instead of stalling the loop: a client's
 * {@code call}, plain and balanced, and an exchange method that waits. Real contexts, real TCP.
 */
@Timeout(60)
class BlockingOnEventLoopTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private TestPeer peer;
  private ApplicationContextRunner runner;

  @BeforeEach
  void start() throws Exception {
    peer = new TestPeer("peer");
    runner =
        new ApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    PacketStreamAutoConfiguration.class,
                    PacketStreamClientsAutoConfiguration.class))
            .withPropertyValues(
                "packetstream.observations.enabled=false",
                // were the guard gone, the stalled loop would come free at this timeout
                "packetstream.clients.one.host=127.0.0.1",
                "packetstream.clients.one.port=" + peer.port(),
                "packetstream.clients.one.request-timeout=5s",
                "packetstream.clients.one.exchanges=" + Orders.class.getName(),
                "packetstream.clients.svc.addresses=" + peer.address(),
                "packetstream.clients.svc.request-timeout=5s");
  }

  @AfterEach
  void stop() {
    peer.close();
  }

  @Test
  void aClientsCallInAnAnswerCallbackIsRefused() {
    runner.run(
        context -> {
          PacketStreamClient one = context.getBean(PacketClients.class).get("one");
          assertThat(one.awaitConnected(WAIT)).isTrue();

          Throwable refused = inAnswerCallback(one, () -> one.call(1, 0, new byte[0]));

          assertThat(refused)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("would block an event loop thread");
          assertThat(one.call(1, 0, new byte[0]).text()).as("off the loop").isEqualTo("peer");
        });
  }

  @Test
  void aBalancedClientsCallInAnAnswerCallbackIsRefusedBeforeItSends() {
    runner.run(
        context -> {
          PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
          await().atMost(WAIT).until(() -> svc.status() == PacketStreamClient.Status.CONNECTED);

          Throwable refused = inAnswerCallback(svc, () -> svc.call(1, 0, new byte[0]));

          assertThat(refused)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("packetstream client svc")
              .hasMessageContaining("would block an event loop thread");
          assertThat(peer.held.get() + peer.answered.get()).as("requests the peer got").isOne();
          assertThat(svc.call(1, 0, new byte[0]).text()).as("off the loop").isEqualTo("peer");
        });
  }

  @Test
  void anExchangeThatWaitsIsRefusedInAnAnswerCallbackBeforeItSends() {
    runner.run(
        context -> {
          PacketStreamClient one = context.getBean(PacketClients.class).get("one");
          assertThat(one.awaitConnected(WAIT)).isTrue();
          Orders orders = context.getBean(Orders.class);

          Throwable refused = inAnswerCallback(one, () -> orders.upper("x"));

          assertThat(refused)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("Orders.upper(String)")
              .hasMessageContaining("would block an event loop thread");
          assertThat(peer.held.get() + peer.answered.get()).as("requests the peer got").isOne();
          assertThat(orders.upper("x")).as("off the loop").isEqualTo("peer");
        });
  }

  /**
   * Runs {@code blocking} in the callback of a request the peer holds until the callback is in
   * place, so that the event loop reading the answer runs it; what it threw, or null.
   */
  private Throwable inAnswerCallback(PacketStreamClient client, Callable<?> blocking)
      throws Exception {
    peer.hold = true;
    CompletableFuture<Response> first = client.submit(1, 0, new byte[0]);
    await().atMost(WAIT).until(() -> peer.held.get() == 1);
    CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
    CompletableFuture<Object> nested =
        first.thenApply(
            r -> {
              onLoop.complete(EventLoopGroup.inEventLoop());
              try {
                return blocking.call();
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new IllegalArgumentException("a checked exception instead", e);
              }
            });
    peer.hold = false;
    peer.release.complete(Response.ok("released"));
    assertThat(onLoop.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
        .as("the callback runs on an event loop")
        .isTrue();
    try {
      nested.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }
}
