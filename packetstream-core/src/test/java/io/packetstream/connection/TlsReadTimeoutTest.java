package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.wire.Packet;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read timeout frees a connection whose peer stalls in the middle of a frame; over TLS on the
 * event loop the middle of a TLS record is such a place too. A peer that sent part of a record and
 * stopped used to hold its connection, and the bytes kept for the record, for as long as it liked.
 */
@Timeout(60)
class TlsReadTimeoutTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

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

  private void open() throws Exception {
    SSLContext tls = TestTls.context();
    listener = TestTls.listen();
    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
    SocketChannel accepted = listener.accept();
    server =
        PacketConnection.builder()
            .name("tls-read-timeout")
            .readTimeout(Duration.ofMillis(300))
            .handler(rq -> Response.ok(rq.payload()))
            .open(accepted, TestTls.server(tls), true);
    peer = new RawTlsPeer(client, TestTls.client(tls, TestTls.port(listener)));
  }

  @Test
  void aPeerStalledInsideATlsRecordTimesOut() throws Exception {
    open();
    byte[] record = peer.records(new Packet(0, 1, 0, true, 1, new byte[100]));
    peer.send(Arrays.copyOf(record, 8));

    await().atMost(WAIT).until(() -> server.state().isTerminal());
    assertThat(server.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(server.failure())
        .get()
        .isInstanceOf(SocketTimeoutException.class)
        .asString()
        .contains("read timed out");
  }

  @Test
  void aPeerThatPausesBetweenRecordsDoesNotTimeOut() throws Exception {
    open();
    for (int i = 0; i < 3; i++) {
      peer.send(peer.records(new Packet(0, 1, 0, true, 1, new byte[] {(byte) i})));
      Thread.sleep(500);
    }
    assertThat(server.state()).isEqualTo(ConnectionState.OPEN);
    assertThat(server.packetsReceived()).isEqualTo(3);
  }
}
