package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/**
 * A thread waiting in {@link PacketStreamClient#awaitConnected} learns at once that the client will
 * not connect: when it gives up (reconnecting disabled) or is closed, not at the end of its wait.
 */
@Timeout(20)
class AwaitConnectedTest {

  private static final Duration LONG_WAIT = Duration.ofSeconds(30);

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void aClientThatGivesUpWakesItsWaiters() throws Exception {
    InetSocketAddress closed = closedPort();
    CountDownLatch waiting = new CountDownLatch(1);
    ClientSpec spec =
        new ClientSpec(
            "gives-up",
            b -> {
              awaitGate(waiting);
              return PacketClient.connect(closed, Duration.ofSeconds(5), b);
            },
            false,
            null,
            Duration.ZERO);
    PacketStreamClient client = client(spec);
    client.start(scheduler);

    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Boolean> connected = awaitConnectedElsewhere(client, waiter);
    await().atMost(Duration.ofSeconds(10)).until(() -> isWaiting(waiter.get()));
    waiting.countDown(); // now the connect fails, and the client gives up

    assertThat(connected.get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(client.status()).isEqualTo(PacketStreamClient.Status.CLOSED);
    assertThat(client.lastFailure()).containsInstanceOf(IOException.class);
  }

  @Test
  void closingAClientFromAnotherThreadWakesItsWaiters() throws Exception {
    InetSocketAddress closed = closedPort();
    ClientSpec spec =
        new ClientSpec(
            "closed",
            b -> PacketClient.connect(closed, Duration.ofSeconds(5), b),
            false,
            new ClientSpec.Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2),
            Duration.ZERO);
    PacketStreamClient client = client(spec);
    client.start(scheduler);

    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Boolean> connected = awaitConnectedElsewhere(client, waiter);
    await().atMost(Duration.ofSeconds(10)).until(() -> isWaiting(waiter.get()));
    CompletableFuture.runAsync(client::close).get(10, TimeUnit.SECONDS);

    assertThat(connected.get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(client.status()).isEqualTo(PacketStreamClient.Status.CLOSED);
  }

  /** A bean that waits for its peer while it is made, as an application that needs it might. */
  static class WaitsWhileMade {
    WaitsWhileMade(PacketClients clients) throws InterruptedException {
      clients.get("early").awaitConnected(LONG_WAIT);
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(WaitsWhileMade.class)
  static class EarlyWaiterApp {}

  /**
   * Clients start with the context, after every bean is made: a bean that waits for one while it is
   * made is told so at once, instead of waiting out its timeout for a peer that is there.
   */
  @Test
  void waitingBeforeTheContextStartsTheClientsFailsAtOnceSayingWhereToWait() throws Exception {
    PacketServer peer =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok("here")))
            .name("peer")
            .bind(new InetSocketAddress("127.0.0.1", 0));
    try {
      SpringApplicationBuilder app =
          new SpringApplicationBuilder(EarlyWaiterApp.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "spring.main.banner-mode=off",
                  "packetstream.clients.early.host=127.0.0.1",
                  "packetstream.clients.early.port=" + peer.port());
      assertThatThrownBy(app::run)
          .rootCause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("packetstream client early has not started")
          .hasMessageContaining("ApplicationRunner")
          .hasMessageContaining("packetstream.clients.early.fail-fast=true");
    } finally {
      peer.close();
    }
  }

  private static PacketStreamClient client(ClientSpec spec) {
    return new PacketStreamClient(
        spec, (role, name) -> PacketConnection.builder(), new TypedCalls(null));
  }

  /**
   * {@code client.awaitConnected(LONG_WAIT)} on a thread of its own, which {@code waiter} names.
   */
  private static CompletableFuture<Boolean> awaitConnectedElsewhere(
      PacketStreamClient client, AtomicReference<Thread> waiter) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.complete(client.awaitConnected(LONG_WAIT));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            "awaits-connected");
    t.setDaemon(true);
    waiter.set(t);
    t.start();
    return result;
  }

  private static boolean isWaiting(Thread t) {
    return t.getState() == Thread.State.TIMED_WAITING;
  }

  /** A port on 127.0.0.1 that nothing listens on: bound a moment ago, then closed. */
  private static InetSocketAddress closedPort() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
      return new InetSocketAddress(loopback, s.getLocalPort());
    }
  }

  private static void awaitGate(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never started waiting");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
