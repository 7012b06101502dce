package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, streams: a packet queued before a stream connection's writer thread has started waits
 * for that thread. It is never written by an event loop with a blocking write, beside the writer
 * thread.
 */
@Timeout(60)
class StreamWriterStartTest {

  /** Records which threads write, and what. */
  private static final class Recording extends OutputStream {
    final List<String> writers = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CountDownLatch firstWrite = new CountDownLatch(1);

    @Override
    public synchronized void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writers.add(Thread.currentThread().getName());
      bytes.write(b, off, len);
      firstWrite.countDown();
    }
  }

  @Test
  void aRequestQueuedBeforeTheWriterThreadStartsIsWrittenByThatThread() throws Exception {
    Recording out = new Recording();
    PipedInputStream in = new PipedInputStream(new PipedOutputStream());
    TrafficListener submitsOnOpen =
        new TrafficListener() {
          @Override
          public void connectionOpened(PacketConnection connection) {
            // the connection is open, its writer thread not started yet
            connection.submit(0, 5, new byte[] {42});
            try {
              // time for anyone else to write it meanwhile: only a wrong writer does
              out.firstWrite.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    PacketConnection connection =
        PacketConnection.builder().name("early").listener(submitsOnOpen).open(in, out);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> out.bytes.size() > 0);
      assertThat(out.writers)
          .isNotEmpty()
          .allSatisfy(t -> assertThat(t).isEqualTo("packetstream early writer"));
      assertThat(connection.packetsSent()).isEqualTo(1);
    } finally {
      connection.abort();
    }
  }
}
