package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 9: {@code submit} checks its arguments (the timeout, the payload against the
 * frame limit) before anything is sent or made pending, and a refused request leaves the connection
 * open and usable.
 */
@Timeout(60)
class SubmitChecksTest {

  @Test
  void aNegativeTimeoutIsRefusedBeforeAnythingIsSent() throws Exception {
    try (RawPeerLink link = new RawPeerLink(PacketConnection.builder().name("negative-timeout"))) {
      PacketConnection conn = link.connection;

      assertThatThrownBy(() -> conn.submit(0, 1, 0, new byte[] {1}, Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(conn.pendingRequests()).isZero();

      nextRequestIsTheFirstThePeerSees(link);
    }
  }

  @Test
  void aPayloadOverTheFrameLimitIsRefusedAndTheConnectionStaysUsable() throws Exception {
    try (RawPeerLink link = new RawPeerLink(PacketConnection.builder().name("oversized"))) {
      PacketConnection conn = link.connection;
      byte[] tooLong = new byte[PacketCodec.DEFAULT_MAX_FRAME_LENGTH + 1];

      assertThatThrownBy(() -> conn.submit(0, 1, 0, tooLong, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .as("names the limit")
                      .containsAnyOf(
                          String.valueOf(PacketCodec.DEFAULT_MAX_FRAME_LENGTH), "16 MiB"));
      assertThat(conn.pendingRequests()).isZero();
      assertThat(conn.state()).isEqualTo(ConnectionState.OPEN);

      nextRequestIsTheFirstThePeerSees(link);
    }
  }

  /** A small request is the first frame the peer reads, and its answer comes back. */
  private static void nextRequestIsTheFirstThePeerSees(RawPeerLink link) throws Exception {
    CompletableFuture<Response> next = link.connection.submit(2, 0, new byte[] {7});
    Packet first = link.peer.receive();
    assertThat(first.request()).isTrue();
    assertThat(first.rqType()).isEqualTo(2);
    assertThat(first.payload()).containsExactly(7);
    link.peer.send(Packet.response(first.channel(), first.tag(), true, 0, new byte[] {8}));
    assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok(new byte[] {8}));
    assertThat(link.connection.pendingRequests()).isZero();
  }

  @Test
  void aRequestAfterTheCloseSaysTheConnectionIsClosedNotDraining() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(PacketConnection.builder(), PacketConnection.builder())) {
      pair.left.close();
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
      CompletableFuture<Response> late =
          pair.left.submit(0, 1, 0, new byte[0], Duration.ofSeconds(5));
      assertThat(late)
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(ConnectionClosedException.class)
          .withMessage("left is closed: cannot send request type 1");
    }
  }

  @Test
  void aTimedOutRequestSaysWhatTimedOut() throws Exception {
    // CompletableFuture's own timeout carries no message at all
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(rq -> Reply.later(new CompletableFuture<>())))) {
      CompletableFuture<Response> asked =
          pair.left.submit(0, 7, 0, new byte[0], Duration.ofMillis(50));
      assertThat(asked)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(java.util.concurrent.TimeoutException.class)
          .withMessage("left: no answer to request type 7 on channel 0 within 50ms");
    }
  }

  @Test
  void aCallersOwnShorterTimeoutKeepsItsException() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(rq -> Reply.later(new CompletableFuture<>())))) {
      CompletableFuture<Response> asked =
          pair.left
              .submit(0, 7, 0, new byte[0], Duration.ofSeconds(30))
              .orTimeout(50, TimeUnit.MILLISECONDS);
      assertThat(asked)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(java.util.concurrent.TimeoutException.class)
          .extracting(Throwable::getMessage)
          .as("not the request's own 30 s timeout")
          .isNull();
    }
  }
}
