package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.wire.Packet;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, TLS on the event loop: the peer's close_notify ends a connection gracefully after what
 * came before it, however reading stood when it came, and promptly.
 */
@Timeout(120)
class TlsPeerCloseTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int ANSWER = 1024 * 1024;

  private ServerSocketChannel listener;
  private RawTlsPeer peer;
  private PacketConnection server;

  @AfterEach
  void tearDown() throws IOException {
    if (server != null) {
      server.abort();
    }
    if (peer != null) {
      peer.close();
    }
    if (listener != null) {
      listener.close();
    }
  }

  /** A server connection on an engine, and a hand-driven TLS client on the other end. */
  private void open(SSLContext tls, PacketConnection.Builder builder) throws IOException {
    listener = TestTls.listen();
    SocketChannel client = SocketChannel.open();
    client.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
    client.connect(listener.getLocalAddress());
    SocketChannel accepted = listener.accept();
    accepted.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
    server = builder.open(accepted, TestTls.server(tls), true);
    peer = new RawTlsPeer(client, TestTls.client(tls, TestTls.port(listener)));
  }

  private static Packet request(int i) {
    return new Packet(0, 10 + i, 0, true, 1, new byte[] {(byte) i});
  }

  @Test
  void aCloseNotifyReadWithFramesKeptByAPauseEndsTheConnectionAfterThem() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    // answers are queued inline, on the loop, in the batch that reads the requests: the third
    // request finds the queue full with the answers far over their limit, and reading pauses
    // with the requests after it kept, in the same pass as the close_notify behind them
    open(
        TestTls.context(),
        PacketConnection.builder()
            .name("paused-server")
            .executor(Runnable::run)
            .maxQueuedRequests(1)
            .maxQueuedAnswerBytes(1024)
            .closeTimeout(Duration.ofSeconds(60))
            .handler(
                rq -> {
                  handled.incrementAndGet();
                  return Response.ok(0, new byte[ANSWER]);
                }));
    int count = 8;
    Packet[] requests = new Packet[count];
    for (int i = 0; i < count; i++) {
      requests[i] = request(i);
    }
    peer.send(peer.records(requests), peer.closeNotify());
    CompletableFuture<Long> drained = new CompletableFuture<>();
    Threads.run("drain", () -> drained.complete(peer.drain(64L * ANSWER)));

    await().atMost(WAIT).until(() -> server.state().isTerminal());
    assertThat(server.failure()).isEmpty();
    assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
    // every frame before the close_notify was read, the kept ones included
    assertThat(server.packetsReceived()).isEqualTo(count);
    assertThat(handled.get()).isGreaterThanOrEqualTo(2);
    assertThat(drained.get()).isGreaterThan((long) handled.get() * ANSWER);
  }

  @Test
  void anAnswerDueAfterTheCloseNotifyStillGoesOutOverTls13() throws Exception {
    // TLS 1.3 closes each direction on its own: the answer and the EOF go out after the peer's
    answerAfterCloseNotify("TLSv1.3", false);
    assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void anAnswerDueAfterTheCloseNotifyFailsTheConnectionAtOnceOverTls12() throws Exception {
    // TLS 1.2 closes both directions at the peer's close_notify: the answer cannot go out
    answerAfterCloseNotify("TLSv1.2", false);
    assertThat(server.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(server.failure().orElseThrow()).hasMessageContaining("closed");
  }

  @Test
  void aWrapThatNeedsAHandshakeAfterTheCloseNotifyEndsTheConnectionAtOnce() throws Exception {
    answerAfterCloseNotify("TLSv1.3", true);
    assertThat(server.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(server.failure().orElseThrow()).hasMessageContaining("close_notify");
  }

  /**
   * The peer sends a request and its close_notify at once; the handler answers once the server is
   * draining. The connection must end within {@link #WAIT}, long before its close deadline.
   */
  private void answerAfterCloseNotify(String protocol, boolean stuck) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    SSLContext tls = TestTls.context();
    listener = TestTls.listen();
    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
    SocketChannel accepted = listener.accept();
    SSLEngine serverEngine = TestTls.server(tls);
    server =
        PacketConnection.builder()
            .name("late-answer-server")
            .closeTimeout(Duration.ofSeconds(300))
            .handler(
                rq -> {
                  started.countDown();
                  answer.await();
                  return Response.ok(0, new byte[100]);
                })
            .open(accepted, stuck ? new StuckHandshakeEngine(serverEngine) : serverEngine, true);
    SSLEngine engine = TestTls.client(tls, TestTls.port(listener));
    engine.setEnabledProtocols(new String[] {protocol});
    peer = new RawTlsPeer(client, engine);
    peer.send(peer.records(request(0)), peer.closeNotify());
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    Threads.run("drain", () -> peer.drain(1 << 20));
    await().atMost(WAIT).until(() -> server.state() == ConnectionState.DRAINING);
    answer.countDown();
    await().atMost(WAIT).until(() -> server.state().isTerminal());
  }
}
