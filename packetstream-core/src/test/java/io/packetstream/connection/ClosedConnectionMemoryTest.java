package io.packetstream.connection;

import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.nio.channels.Pipe;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection that has ended leaves nothing of itself on its event loop: its cancelled timers (the
 * idle and read timeout watch, the close deadline) wait in the loop's queue until their deadlines
 * but no longer hold it, so a server whose peers come and go by the thousand gives its heap back at
 * once, not a timeout later.
 */
@Timeout(60)
class ClosedConnectionMemoryTest {

  @Test
  void anEndedConnectionCanBeCollectedBeforeItsTimersAreDue() throws Exception {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    Pipe keeperIn = Pipe.open();
    Pipe keeperOut = Pipe.open();
    try (EventLoopGroup group = EventLoopGroup.create(1)) {
      // a live connection whose watch comes first keeps the ended one's timer off the queue's head
      PacketConnection keeper =
          PacketConnection.builder()
              .eventLoops(group)
              .readTimeout(Duration.ofMinutes(1))
              .open(keeperIn.source(), keeperOut.sink());
      WeakReference<PacketConnection> ended = openAndEnd(group, in, out);
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                System.gc();
                return ended.get() == null;
              });
      keeper.abort();
    } finally {
      keeperIn.sink().close();
      keeperIn.source().close();
      keeperOut.sink().close();
      keeperOut.source().close();
      in.sink().close();
      in.source().close();
      out.sink().close();
      out.source().close();
    }
  }

  /** A connection whose timeout watch is due in 15 minutes, ended at once. */
  private static WeakReference<PacketConnection> openAndEnd(EventLoopGroup group, Pipe in, Pipe out)
      throws java.io.IOException {
    PacketConnection c =
        PacketConnection.builder()
            .eventLoops(group)
            .readTimeout(Duration.ofHours(1))
            .idleTimeout(Duration.ofHours(1))
            .handler(rq -> Response.ok(rq.payload()))
            .open(in.source(), out.sink());
    c.abort();
    return new WeakReference<>(c);
  }
}
