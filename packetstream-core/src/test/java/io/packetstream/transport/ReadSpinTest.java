package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** A reader that polls a quiet socket for a while before it sleeps, over real loopback TCP. */
class ReadSpinTest {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void answersRequestsWhileSpinningAndAfterTheSpinRunsOut() throws Exception {
    PacketConnection.Builder serving = PacketConnection.builder()
        .readSpin(Duration.ofMillis(20))
        .handler(rq -> Response.ok(rq.flags(), rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client = PacketClient.connect("127.0.0.1", server.port(),
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
  void spinningReaderUsesCpuForItsSpinOnlyThenSleeps() throws Exception {
    List<Thread> made = new CopyOnWriteArrayList<>();
    ThreadFactory recording = recording(made);
    // the server's readers never spin, so the client's spinning reader alone takes the JVM's cap
    PacketConnection.Builder serving = PacketConnection.builder()
        .readSpin(Duration.ZERO)
        .handler(rq -> Response.ok(rq.flags(), rq.payload()));
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection spinning = PacketClient.connect("127.0.0.1", server.port(),
            PacketConnection.builder().name("spinning").ioThreadFactory(recording)
                .readSpin(Duration.ofMillis(400)));
        PacketConnection sleeping = PacketClient.connect("127.0.0.1", server.port(),
            PacketConnection.builder().name("sleeping").ioThreadFactory(recording)
                .readSpin(Duration.ZERO))) {
      Thread spinReader = reader(made, "spinning");
      Thread sleepReader = reader(made, "sleeping");
      spinning.call(0, 0, 0, new byte[] {1}, Duration.ofSeconds(5));
      sleeping.call(0, 0, 0, new byte[] {1}, Duration.ofSeconds(5));
      long spin0 = cpuNanos(spinReader);
      long sleep0 = cpuNanos(sleepReader);
      Thread.sleep(1000);
      long spin1 = cpuNanos(spinReader);
      long sleep1 = cpuNanos(sleepReader);
      Thread.sleep(500);
      long spin2 = cpuNanos(spinReader);

      assertThat(spin1 - spin0).as("CPU time of the spinning reader after the answer")
          .isGreaterThan(Duration.ofMillis(25).toNanos());
      assertThat(sleep1 - sleep0).as("CPU time of a reader without spin after the answer")
          .isLessThan(Duration.ofMillis(50).toNanos());
      assertThat(spin2 - spin1).as("CPU time of the spinning reader once its spin ran out")
          .isLessThan(Duration.ofMillis(50).toNanos());

      // a spinning reader ends as soon as its connection is closed
      spinning.call(0, 0, 0, new byte[] {2}, Duration.ofSeconds(5));
      spinning.close();
      spinReader.join(5000);
      assertThat(spinReader.isAlive()).as("reader alive after close").isFalse();
      assertThat(spinning.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }

  @Test
  void aReaderWhosePeerAnswersSlowlyDoesNotSpin() throws Exception {
    List<Thread> made = new CopyOnWriteArrayList<>();
    ThreadFactory recording = recording(made);
    // every answer takes 100 ms, longer than the client's 30 ms spin: spinning would catch nothing
    PacketConnection.Builder serving = PacketConnection.builder()
        .readSpin(Duration.ZERO)
        .handler(rq -> {
          Thread.sleep(100);
          return Response.ok(rq.flags(), rq.payload());
        });
    try (PacketServer server = PacketServer.builder(serving).bindLoopback(0);
        PacketConnection client = PacketClient.connect("127.0.0.1", server.port(),
            PacketConnection.builder().name("patient").ioThreadFactory(recording)
                .readSpin(Duration.ofMillis(30)))) {
      Thread reader = reader(made, "patient");
      long cpu0 = cpuNanos(reader);
      for (int i = 0; i < 6; i++) {
        client.call(0, 0, i, new byte[] {(byte) i}, Duration.ofSeconds(5));
      }
      Thread.sleep(100);
      // a reader that spun before each answer would have burnt 6 x 30 ms and more
      assertThat(cpuNanos(reader) - cpu0).as("CPU time of the reader over six slow answers")
          .isLessThan(Duration.ofMillis(60).toNanos());
    }
  }

  @Test
  void refusesSpinsBeyondOneSecond() {
    assertThatThrownBy(() -> PacketConnection.builder().readSpin(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above 1 s");
    assertThatThrownBy(() -> PacketConnection.builder().readSpin(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }

  /** Makes daemon threads and keeps them in {@code made}, to find a connection's reader. */
  private static ThreadFactory recording(List<Thread> made) {
    return r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      made.add(t);
      return t;
    };
  }

  private static Thread reader(List<Thread> made, String connection) {
    return made.stream()
        .filter(t -> t.getName().equals("packetstream " + connection + " reader"))
        .findFirst().orElseThrow();
  }

  @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
  private static long cpuNanos(Thread thread) {
    return THREADS.getThreadCpuTime(thread.getId());
  }
}
