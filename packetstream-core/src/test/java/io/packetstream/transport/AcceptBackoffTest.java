package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ServerSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server whose accepts keep failing pauses longer after each failure instead of spinning. */
@Timeout(60)
class AcceptBackoffTest {

  @Test
  void doublesThePauseUpToASecondAndStartsAgainAfterASuccess() {
    Backoff backoff = new Backoff();
    assertThat(List.of(backoff.next(), backoff.next(), backoff.next(), backoff.next()))
        .containsExactly(10L, 20L, 40L, 80L);
    for (int i = 0; i < 10; i++) {
      backoff.next();
    }
    assertThat(backoff.next()).isEqualTo(1000L);
    backoff.reset();
    assertThat(backoff.next()).isEqualTo(10L);
  }

  @Test
  void reportsTheFirstFailureOfARunAndThenOncePerInterval() {
    Backoff backoff = new Backoff();
    long start = 123_456_789L;
    backoff.next();
    assertThat(backoff.shouldReport(start)).as("the first failure").isTrue();
    for (int i = 1; i <= 20; i++) {
      backoff.next();
      assertThat(backoff.shouldReport(start + i)).as("failure %d, just after", i + 1).isFalse();
    }
    backoff.next();
    assertThat(backoff.shouldReport(start + Backoff.REPORT_INTERVAL_NANOS))
        .as("an interval on")
        .isTrue();
    backoff.next();
    assertThat(backoff.shouldReport(start + Backoff.REPORT_INTERVAL_NANOS + 1)).isFalse();
    assertThat(backoff.failures()).isEqualTo(23);
    backoff.reset();
    assertThat(backoff.failures()).isZero();
    backoff.next();
    assertThat(backoff.shouldReport(start + Backoff.REPORT_INTERVAL_NANOS + 2))
        .as("the first failure of a new run")
        .isTrue();
  }

  @Test
  void pausesLongerAfterEachFailedAccept() throws Exception {
    List<Long> attempts = new CopyOnWriteArrayList<>();
    ServerSocketFactory failing =
        new ServerSocketFactory() {
          @Override
          public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
              @Override
              public Socket accept() throws IOException {
                attempts.add(System.nanoTime());
                throw new IOException("too many open files (a test's)");
              }
            };
          }

          @Override
          public ServerSocket createServerSocket(int port) throws IOException {
            throw new UnsupportedOperationException();
          }

          @Override
          public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            throw new UnsupportedOperationException();
          }

          @Override
          public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
              throws IOException {
            throw new UnsupportedOperationException();
          }
        };
    try (PacketServer server =
        PacketServer.builder(PacketConnection.builder()).socketFactory(failing).bindLoopback(0)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> attempts.size() >= 5);
      assertThat(server.isListening()).isTrue();
    }
    for (int i = 1; i < 5; i++) {
      long pauseMillis = (attempts.get(i) - attempts.get(i - 1)) / 1_000_000;
      assertThat(pauseMillis)
          .as("pause before attempt %d", i + 1)
          .isGreaterThanOrEqualTo((10L << (i - 1)) - 1); // a millisecond for rounding
    }
  }
}
