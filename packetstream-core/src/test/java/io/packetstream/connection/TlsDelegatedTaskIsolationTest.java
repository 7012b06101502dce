package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, TLS on the event loop: delegated tasks that hang (a certificate check waiting on a slow
 * OCSP responder, say) hold their own handshakes only. They once ran on the JVM's common pool,
 * whose parallelism is the cores less one: a single hung check on a 2-core machine stopped the
 * handshake of every other TLS connection in the JVM.
 */
@Timeout(120)
class TlsDelegatedTaskIsolationTest {

  /** Checks the server's chain like the one it wraps, after {@code release} opens. */
  private static final class BlockingTrust extends X509ExtendedTrustManager {
    final X509ExtendedTrustManager trust;
    final AtomicInteger entered = new AtomicInteger();
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final CountDownLatch release = new CountDownLatch(1);

    BlockingTrust(X509ExtendedTrustManager trust) {
      this.trust = trust;
    }

    private void hang() {
      threads.add(Thread.currentThread());
      entered.incrementAndGet();
      try {
        release.await(100, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      hang();
      trust.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      hang();
      trust.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      hang();
      trust.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      trust.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      trust.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return trust.getAcceptedIssuers();
    }
  }

  @Test
  void handshakesWhoseCertificateCheckHangsDoNotHoldUpAnotherConnectionsHandshake()
      throws Exception {
    // one more than the common pool has threads
    int hung = ForkJoinPool.getCommonPoolParallelism() + 1;
    BlockingTrust[] made = new BlockingTrust[1];
    SSLContext blocking = TestTls.context(keys -> keys, t -> made[0] = new BlockingTrust(t));
    BlockingTrust trust = made[0];
    SSLContext tls = TestTls.context();
    List<PacketConnection> opened = new ArrayList<>();
    try (EventLoopGroup loops = EventLoopGroup.create(1);
        ServerSocketChannel listener = TestTls.listen()) {
      int port = TestTls.port(listener);
      List<CompletableFuture<Response>> stalledCalls = new ArrayList<>();
      try {
        for (int i = 0; i < hung; i++) {
          SocketChannel[] ends = TestTls.connect(listener);
          opened.add(
              PacketConnection.builder()
                  .name("server-" + i)
                  .eventLoops(loops)
                  .handler(rq -> Response.ok(rq.payload()))
                  .open(ends[1], TestTls.server(tls), true));
          PacketConnection client =
              PacketConnection.builder()
                  .name("hung-" + i)
                  .eventLoops(loops)
                  .handshakeTimeout(Duration.ofSeconds(100))
                  .open(ends[0], TestTls.client(blocking, port), true);
          opened.add(client);
          stalledCalls.add(client.submit(0, 0, new byte[] {(byte) i}));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> trust.entered.get() >= 1);

        SocketChannel[] ends = TestTls.connect(listener);
        opened.add(
            PacketConnection.builder()
                .name("server")
                .eventLoops(loops)
                .handler(rq -> Response.ok(rq.payload()))
                .open(ends[1], TestTls.server(tls), true));
        PacketConnection client =
            PacketConnection.builder()
                .name("client")
                .eventLoops(loops)
                .open(ends[0], TestTls.client(tls, port), true);
        opened.add(client);
        assertThat(client.call(0, 0, 0, new byte[] {42}, Duration.ofSeconds(20)))
            .isEqualTo(new Response(true, 0, new byte[] {42}));

        // every hung check holds a thread of its own, and its handshake only
        await().atMost(Duration.ofSeconds(30)).until(() -> trust.entered.get() == hung);
        assertThat(stalledCalls).noneMatch(CompletableFuture::isDone);
        assertThat(trust.threads)
            .hasSize(hung)
            .allMatch(t -> t.getName().startsWith("packetstream-tls-") && t.isDaemon());

        trust.release.countDown();
        for (int i = 0; i < hung; i++) {
          assertThat(stalledCalls.get(i).get(20, TimeUnit.SECONDS))
              .isEqualTo(new Response(true, 0, new byte[] {(byte) i}));
        }
      } finally {
        trust.release.countDown();
        opened.forEach(PacketConnection::abort);
      }
    }
  }
}
