package io.packetstream.connection;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handlers run on virtual threads where the JVM has them (21+) and on the shared, bounded pool on
 * 17; readers and writers are platform threads either way. CI runs this on both JDKs.
 */
@Timeout(60)
class DefaultThreadsTest {

  @Test
  void handlersRunOnVirtualThreadsOn21AndOnThePoolOn17() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .handler(rq -> Response.ok(describe(Thread.currentThread()))))) {
      String handler =
          new String(pair.left.call(0, 0, 0, new byte[0], Duration.ofSeconds(10)).payload(), UTF_8);
      if (Runtime.version().feature() >= 21) {
        assertThat(DefaultThreads.virtualThreadsAvailable()).isTrue();
        assertThat(handler).isEqualTo("virtual");
      } else {
        assertThat(DefaultThreads.virtualThreadsAvailable()).isFalse();
        assertThat(handler).startsWith("platform packetstream-handler-");
      }
    }
  }

  @Test
  void pipesAreReadByTheSharedEventLoopsAndStreamsByAReaderThread() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .executor(Runnable::run)
                .handler(rq -> Response.ok(describe(Thread.currentThread()))))) {
      String reader =
          new String(pair.left.call(0, 0, 0, new byte[0], Duration.ofSeconds(10)).payload(), UTF_8);
      assertThat(reader).startsWith("platform packetstream-io-");
    }
    PipedInputStream leftIn = new PipedInputStream(1 << 16);
    PipedInputStream rightIn = new PipedInputStream(1 << 16);
    PipedOutputStream leftOut = new PipedOutputStream(rightIn);
    PipedOutputStream rightOut = new PipedOutputStream(leftIn);
    PacketConnection left = PacketConnection.builder().open(leftIn, leftOut);
    PacketConnection right =
        PacketConnection.builder()
            .name("streamed")
            .executor(Runnable::run)
            .handler(rq -> Response.ok(describe(Thread.currentThread())))
            .open(rightIn, rightOut);
    try {
      String reader =
          new String(left.call(0, 0, 0, new byte[0], Duration.ofSeconds(10)).payload(), UTF_8);
      assertThat(reader).isEqualTo("platform packetstream streamed reader");
    } finally {
      left.abort();
      right.abort();
      leftIn.close();
      rightIn.close();
    }
  }

  private static String describe(Thread t) {
    return t.toString().startsWith("VirtualThread") ? "virtual" : "platform " + t.getName();
  }
}
