package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, the Java 17 handler pool cliff: a handler executor that refuses work while busy (as the
 * shared pool on Java 17 does when full) makes requests wait in the connection's own queue, never
 * answers them {@code handler executor refused the request}. An executor that has been shut down,
 * which will never take work again, is the other case: its requests fail at once.
 */
@Timeout(60)
class HandlerPoolRefusalTest {

  private static final int REQUESTS = 100;

  @Test
  void requestsWaitForABusyPoolThatRefusesWork() throws Exception {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "small pool");
              t.setDaemon(true);
              return t;
            });
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .executor(pool)
                    .handler(
                        rq -> {
                          Thread.sleep(20);
                          return Response.ok(rq.payload());
                        }))
            .name("small-pool")
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder().name("small-pool-client"));
    try {
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        all.add(client.submit(1, 0, new byte[] {(byte) i}));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      List<String> refused = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        Response r = all.get(i).join();
        if (!r.ok()) {
          refused.add(r.text());
        } else {
          assertThat(r.payload()).containsExactly((byte) i);
        }
      }
      assertThat(refused).as("requests answered not ok").isEmpty();
    } finally {
      client.abort();
      server.abort();
      pool.shutdownNow();
    }
  }

  /**
   * Requests that reach a connection whose handler executor was shut down (as an application's own
   * pool is when its context closes first) are answered as failed, each of them; they waited and
   * were tried again for ever, so the peer's calls never ended.
   */
  @Test
  void requestsToAShutDownExecutorFail() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    pool.shutdown();
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder().executor(pool).handler(rq -> Response.ok(rq.payload())))
            .name("shut-pool")
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder().name("shut-pool-client"));
    try {
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(client.submit(1, 0, new byte[] {(byte) i}));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      for (CompletableFuture<Response> f : all) {
        assertThat(f.join().ok()).isFalse();
      }
    } finally {
      client.abort();
      server.abort();
    }
  }
}
