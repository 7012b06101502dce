package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile peers count only the connections the server ends: closing their own connections at
 * {@link HostilePeers#stop()} is not a drop, or a run would report drops the server never made (and
 * look for log lines that cannot exist).
 */
@Timeout(120)
class HostilePeersTest {

  @Test
  void connectionsClosedByStopAreNotCountedAsDropped() throws Exception {
    try (HoldingServer server = new HoldingServer()) {
      for (int run = 0; run < 20; run++) {
        // no pauses: the trickle and silent loops are always busy with their sockets when stopped
        HostilePeers.Plan plan = new HostilePeers.Plan(4, 0, 1 << 20, 0, 0, 0, 1, 8, 0);
        HostilePeers peers = HostilePeers.start(server.port(), plan, TimeUnit.SECONDS.toNanos(60));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((peers.counts().trickleBytes() == 0 || peers.counts().silentOpened() < 10)
            && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        peers.stop();
        HostilePeers.Counts counts = peers.counts();
        assertThat(counts.trickleBytes()).as("run %d: bytes trickled", run).isPositive();
        assertThat(counts.silentOpened()).as("run %d: silent connections", run).isGreaterThan(9);
        assertThat(counts.trickleDropped()).as("run %d: tricklers dropped", run).isZero();
        assertThat(counts.silentDropped()).as("run %d: silent peers dropped", run).isZero();
      }
      assertThat(server.closedByServer()).isZero();
    }
  }

  /** Accepts every connection and holds it, never reading, never closing, until closed. */
  private static final class HoldingServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> held = new ArrayList<>();
    private final Thread acceptor;

    HoldingServer() throws IOException {
      socket = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket s = socket.accept();
                    synchronized (held) {
                      held.add(s);
                    }
                  }
                } catch (IOException e) {
                  // closed
                }
              },
              "holding server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    /** The server never ends a connection itself: 0, kept as the test's premise. */
    int closedByServer() {
      synchronized (held) {
        return (int) held.stream().filter(Socket::isClosed).count();
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join(10_000);
      synchronized (held) {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }
}
