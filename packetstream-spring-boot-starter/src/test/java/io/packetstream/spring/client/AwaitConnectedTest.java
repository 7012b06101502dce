package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketClient;
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
