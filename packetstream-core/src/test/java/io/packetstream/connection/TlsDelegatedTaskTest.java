package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, TLS on the event loop: an engine's delegated task holds the engine while it runs, so
 * the loop must not call into that engine meanwhile. A task that hangs (a certificate check that
 * waits on the network, say) stalls its own connection only: the loop's other connections go on,
 * and the stalled one can still be ended.
 */
@Timeout(120)
class TlsDelegatedTaskTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Picks the server's key like the one it wraps, after {@code release} opens. */
  private static final class HangingKeys extends X509ExtendedKeyManager {
    final X509ExtendedKeyManager keys;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HangingKeys(X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      entered.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return keys.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return keys.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return keys.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  @Test
  void aHangingDelegatedTaskStallsOnlyItsOwnConnectionWhichCanStillBeEnded() throws Exception {
    HangingKeys[] made = new HangingKeys[1];
    SSLContext hanging = TestTls.context(keys -> made[0] = new HangingKeys(keys));
    HangingKeys keys = made[0];
    SSLContext tls = TestTls.context();
    try (EventLoopGroup one = EventLoopGroup.create(1);
        ServerSocketChannel listener = TestTls.listen()) {
      int port = TestTls.port(listener);
      // the stalled pair: the server's handshake task hangs choosing its key
      SocketChannel[] stalledEnds = TestTls.connect(listener);
      PacketConnection stalled =
          PacketConnection.builder()
              .name("stalled")
              .eventLoops(one)
              .handler(rq -> Response.ok(rq.payload()))
              .open(stalledEnds[1], TestTls.server(hanging), true);
      PacketConnection stalledClient =
          PacketConnection.builder()
              .name("stalled-client")
              .open(stalledEnds[0], TestTls.client(tls, port), true);
      // a healthy pair whose server shares the stalled one's loop (plain TCP: the stalled task
      // also holds a thread of the pool that runs delegated tasks)
      SocketChannel[] ends = TestTls.connect(listener);
      PacketConnection healthy =
          PacketConnection.builder()
              .name("healthy")
              .eventLoops(one)
              .handler(rq -> Response.ok(rq.payload()))
              .open(ends[1], true);
      PacketConnection client =
          PacketConnection.builder().name("healthy-client").open(ends[0], true);
      try {
        assertThat(keys.entered.await(30, TimeUnit.SECONDS)).isTrue();
        // the stalled client's requests wake the stalled server's side of the loop meanwhile
        for (int i = 0; i < 5; i++) {
          stalledClient.submit(0, i, new byte[] {(byte) i});
        }
        for (int i = 0; i < 20; i++) {
          assertThat(client.call(0, 0, 0, new byte[] {(byte) i}, Duration.ofSeconds(10)))
              .isEqualTo(new Response(true, 0, new byte[] {(byte) i}));
        }
        // ending the stalled connection must not wait for its task either
        stalled.abort();
        assertThat(stalled.state()).isEqualTo(ConnectionState.CLOSED);
        await().atMost(WAIT).until(() -> stalledClient.state().isTerminal());
        for (int i = 0; i < 5; i++) {
          assertThat(client.call(0, 0, 0, new byte[] {(byte) i}, Duration.ofSeconds(10)).ok())
              .isTrue();
        }
      } finally {
        keys.release.countDown();
        client.abort();
        healthy.abort();
        stalledClient.abort();
        stalled.abort();
      }
    }
  }
}
