package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.wire.Packet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A graceful close of a connection whose peer has sent no request yet still lingers for a request
 * the peer sends when it reads our ERQ: that request gets a refusal, not our EOF (the linger once
 * counted from a last request at time 0, so EOF followed the ERQ at once).
 */
@Timeout(60)
class LingerBeforeFirstRequestTest {

  @Test
  void aRequestSentOnReadingTheErqIsRefusedBeforeEof() throws Exception {
    try (RawPeerLink link =
        new RawPeerLink(
            PacketConnection.builder()
                .name("linger")
                .handler(rq -> Response.empty())
                .closeTimeout(Duration.ofSeconds(30)))) {
      CompletableFuture<Void> closing = Threads.run("closer", link.connection::close);

      assertThat(link.peer.receive().isErq()).isTrue();
      link.peer.send(Packet.request(0, 7, 0, 1, new byte[] {1}));

      Packet answer = link.peer.receive();
      assertThat(answer.isEof()).as("EOF came before an answer to the request").isFalse();
      assertThat(answer.request()).isFalse();
      assertThat(answer.tag()).isEqualTo(7);
      assertThat(answer.ok()).isFalse();
      assertThat(link.peer.receive().isEof()).isTrue();

      link.peer.send(Packet.EOF);
      closing.get(10, TimeUnit.SECONDS);
      assertThat(link.connection.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }
}
