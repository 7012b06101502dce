package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A reader that polls a quiet socket for a while before it sleeps, over real loopback TCP. */
class ReadSpinTest {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void answersRequestsWhileSpinningAndAfterTheSpinRunsOut() throws Exception {
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .readSpin(Duration.ofMillis(20))
            .handler(rq -> Response.ok(rq.flags(), rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder().readSpin(Duration.ofMillis(20)))) {
      for (int i = 0; i < 200; i++) {
        // back to back, so most answers arrive while the reader spins; every tenth after a pause
        // longer than the spin, so the reader has gone to sleep on its selector
        if (i % 10 == 0) {
          Thread.sleep(40);
        }
        byte[] payload = ("m" + i).getBytes(StandardCharsets.UTF_8);
        assertThat(client.call(0, 0, i, payload, Duration.ofSeconds(5)))
            .isEqualTo(new Response(true, i, payload));
      }
    }
  }

  @Test
  void spinningLoopUsesCpuForItsSpinOnlyThenSleeps() throws Exception {
    // the server's loops never spin, so the client's spinning loop alone takes the JVM's cap
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .readSpin(Duration.ZERO)
            .handler(rq -> Response.ok(rq.flags(), rq.payload()));
    try (EventLoopGroup spinLoop = EventLoopGroup.create("spinning-io", 1);
        EventLoopGroup sleepLoop = EventLoopGroup.create("sleeping-io", 1);
        PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection spinning =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder()
                    .name("spinning")
                    .eventLoops(spinLoop)
                    .readSpin(Duration.ofMillis(400)));
        PacketConnection sleeping =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder()
                    .name("sleeping")
                    .eventLoops(sleepLoop)
                    .readSpin(Duration.ZERO))) {
      Thread spinReader = thread("spinning-io-1");
      Thread sleepReader = thread("sleeping-io-1");
      // back-to-back calls, so that the loops' last sleeps are short: a busy connection's
      for (int i = 0; i < 50; i++) {
        spinning.call(0, 0, 0, new byte[] {1}, Duration.ofSeconds(5));
        sleeping.call(0, 0, 0, new byte[] {1}, Duration.ofSeconds(5));
      }
      long spin0 = cpuNanos(spinReader);
      long sleep0 = cpuNanos(sleepReader);
      Thread.sleep(1000);
      long spin1 = cpuNanos(spinReader);
      long sleep1 = cpuNanos(sleepReader);
      Thread.sleep(500);
      long spin2 = cpuNanos(spinReader);

      assertThat(spin1 - spin0)
          .as("CPU time of the spinning loop after the answer")
          .isGreaterThan(Duration.ofMillis(25).toNanos());
      assertThat(sleep1 - sleep0)
          .as("CPU time of a loop without spin after the answer")
          .isLessThan(Duration.ofMillis(50).toNanos());
      assertThat(spin2 - spin1)
          .as("CPU time of the spinning loop once its spin ran out")
          .isLessThan(Duration.ofMillis(50).toNanos());

      // once its connection is closed, the loop no longer spins after an answer
      spinning.call(0, 0, 0, new byte[] {2}, Duration.ofSeconds(5));
      spinning.close();
      assertThat(spinning.state()).isEqualTo(ConnectionState.CLOSED);
      Thread.sleep(500);
      long closed0 = cpuNanos(spinReader);
      Thread.sleep(500);
      assertThat(cpuNanos(spinReader) - closed0)
          .as("CPU time of the loop after its spinning" + " connection closed")
          .isLessThan(Duration.ofMillis(50).toNanos());
    }
  }

  @Test
  void aLoopWhosePeerAnswersSlowlyDoesNotSpin() throws Exception {
    // every answer takes 100 ms, longer than the client's 30 ms spin: spinning would catch nothing
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .readSpin(Duration.ZERO)
            .handler(
                rq -> {
                  Thread.sleep(100);
                  return Response.ok(rq.flags(), rq.payload());
                });
    try (EventLoopGroup loop = EventLoopGroup.create("patient-io", 1);
        PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client =
            PacketClient.connect(
                "127.0.0.1",
                server.port(),
                PacketConnection.builder()
                    .name("patient")
                    .eventLoops(loop)
                    .readSpin(Duration.ofMillis(30)))) {
      Thread reader = thread("patient-io-1");
      long cpu0 = cpuNanos(reader);
      for (int i = 0; i < 6; i++) {
        client.call(0, 0, i, new byte[] {(byte) i}, Duration.ofSeconds(5));
      }
      Thread.sleep(100);
      // a loop that spun before each answer would have burnt 6 x 30 ms and more
      assertThat(cpuNanos(reader) - cpu0)
          .as("CPU time of the loop over six slow answers")
          .isLessThan(Duration.ofMillis(60).toNanos());
    }
  }

  @Test
  void refusesSpinsBeyondOneSecond() {
    assertThatThrownBy(() -> PacketConnection.builder().readSpin(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("above 1 s");
    assertThatThrownBy(() -> PacketConnection.builder().readSpin(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  private static Thread thread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
  private static long cpuNanos(Thread thread) {
    return THREADS.getThreadCpuTime(thread.getId());
  }
}
