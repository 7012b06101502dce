package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reader that stops for the group's inbound budget while its connection has requests of its own
 * pending, or stops waiting, leaves nothing behind: the answers to this end's requests are read
 * whenever the request was sent, and a reader that no longer waits for room (it ended, or a request
 * resumed it) does not count as one waiting.
 */
@Timeout(60)
class BudgetPauseTest {

  private static final long BUDGET = 1024 * 1024;

  private static PacketConnection onServer(PacketServer server, RawPeer peer) {
    return server.connections().stream()
        .filter(
            c ->
                c.remoteAddress()
                    .map(a -> ((InetSocketAddress) a).getPort() == peer.localPort())
                    .orElse(false))
        .findFirst()
        .orElseThrow();
  }

  /** Whether a thread is blocked entering PacketConnection's pause. */
  private static boolean aReaderIsBlockedPausing() {
    return Thread.getAllStackTraces().entrySet().stream()
        .anyMatch(
            e ->
                e.getKey().getState() == Thread.State.BLOCKED
                    && Arrays.stream(e.getValue())
                        .anyMatch(
                            f ->
                                f.getClassName().equals(PacketConnection.class.getName())
                                    && f.getMethodName().equals("pause")));
  }

  /**
   * The interleaving that lost the answer: the reader finds no request of this end pending and
   * decides to pause; a handler sends a request before the pause is set, so it sees no pause to
   * undo; then the pause is set. The test holds the reader at that point (it blocks on the
   * connection's lock while the test owns it) while the handler sends.
   */
  @Test
  void aHandlersRequestSentAsTheReaderPausesForTheBudgetIsAnswered() throws Exception {
    ExecutorService handlers = Executors.newCachedThreadPool();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch sent = new CountDownLatch(1);
    CompletableFuture<Response> inner = new CompletableFuture<>();
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch unlock = new CountDownLatch(1);
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET);
        PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .eventLoops(loops)
                        .executor(handlers)
                        .handler(
                            rq -> {
                              // holds the budget (its 800 KiB) until its own request is answered
                              started.countDown();
                              go.await(20, TimeUnit.SECONDS);
                              CompletableFuture<Response> f =
                                  rq.connection()
                                      .submit(0, 5, 0, new byte[0], Duration.ofSeconds(5));
                              sent.countDown();
                              f.whenComplete(
                                  (r, e) -> {
                                    if (e != null) {
                                      inner.completeExceptionally(e);
                                    } else {
                                      inner.complete(r);
                                    }
                                  });
                              return f.get(10, TimeUnit.SECONDS);
                            }))
                .bindLoopback(0);
        RawPeer peer = new RawPeer(server.port())) {
      peer.send(Packet.request(0, 1, 0, 2, new byte[800 * 1024]));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Object life = lifeOf(onServer(server, peer));
      Thread locker =
          new Thread(
              () -> {
                synchronized (life) {
                  locked.countDown();
                  try {
                    unlock.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              },
              "life-locker");
      locker.start();
      assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
      byte[] second = PacketCodec.encode(Packet.request(0, 2, 0, 3, new byte[1024 * 1024]));
      // a partial frame past the reader's allowance with the budget spent: the reader pauses
      peer.sendBytes(Arrays.copyOfRange(second, 0, 400 * 1024));
      await().atMost(Duration.ofSeconds(10)).until(BudgetPauseTest::aReaderIsBlockedPausing);
      go.countDown();
      assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
      unlock.countDown();
      locker.join(10_000);

      Packet request = peer.receive();
      while (!request.request()) {
        request = peer.receive();
      }
      peer.sendBytes(Arrays.copyOfRange(second, 400 * 1024, second.length));
      peer.send(
          Packet.response(0, request.tag(), true, 0, "pong".getBytes(StandardCharsets.UTF_8)));

      assertThat(inner.get(15, TimeUnit.SECONDS).text()).isEqualTo("pong");
    } finally {
      go.countDown();
      unlock.countDown();
      handlers.shutdownNow();
    }
  }

  private static Object lifeOf(PacketConnection connection) throws ReflectiveOperationException {
    Field f = PacketConnection.class.getDeclaredField("life");
    f.setAccessible(true);
    return f.get(connection);
  }

  /**
   * A reader that paused for room and then ended no longer counts as waiting: the one frame read on
   * alone while the budget is spent is held to the read timeout only while others wait for it.
   */
  @Test
  void aReaderThatEndedWhileWaitingForRoomDoesNotCountAsWaiting() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService handlers = Executors.newCachedThreadPool();
    try (EventLoopGroup loops = EventLoopGroup.create(1, BUDGET);
        PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .eventLoops(loops)
                        .executor(handlers)
                        .readTimeout(Duration.ofSeconds(1))
                        .handler(
                            rq -> {
                              if (rq.rqType() == 1) {
                                release.await(30, TimeUnit.SECONDS); // holds the budget
                              }
                              return Response.ok(new byte[0]);
                            }))
                .bindLoopback(0);
        RawPeer holder = new RawPeer(server.port());
        RawPeer slow = new RawPeer(server.port());
        RawPeer gone = new RawPeer(server.port())) {
      // small requests (no reader charge) whose handlers hold the budget
      for (int i = 0; i < 20; i++) {
        holder.send(Packet.request(0, 2 + i, 0, 1, new byte[60 * 1024]));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> loops.bufferedInboundBytes() >= BUDGET);
      byte[] big = PacketCodec.encode(Packet.request(0, 2, 0, 2, new byte[1024 * 1024]));
      int sent = 300 * 1024;
      // the one reader that reads on alone while the budget is spent
      slow.sendBytes(Arrays.copyOfRange(big, 0, sent));
      Thread.sleep(200);
      PacketConnection slowOnServer = onServer(server, slow);
      // another reader pauses and waits for room, then its connection ends
      gone.sendBytes(Arrays.copyOfRange(big, 0, 300 * 1024));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> onServer(server, gone).bytesReceived() >= 64 * 1024);
      Thread.sleep(200);
      onServer(server, gone).abort();
      Thread.sleep(100);
      // the rest, never silent for the read timeout, though slower than it in all
      try {
        while (sent < big.length) {
          int n = Math.min(100 * 1024, big.length - sent);
          slow.sendBytes(Arrays.copyOfRange(big, sent, sent + n));
          sent += n;
          Thread.sleep(250);
        }
      } catch (java.io.IOException e) {
        throw new AssertionError(
            "the server ended the slow peer: " + slowOnServer.failure().map(Throwable::getMessage),
            e);
      }
      Packet answer = slow.receive();
      assertThat(answer.request()).isFalse();
      assertThat(answer.tag()).isEqualTo(2);
    } finally {
      release.countDown();
      handlers.shutdownNow();
    }
  }
}
