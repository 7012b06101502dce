package io.packetstream.cli;

import io.packetstream.wire.BSUInt;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile peers of {@code hostile}, over raw sockets to one port of 127.0.0.1, each kind on a
 * thread of its own: peers that announce a frame just under the server's limit and trickle its body
 * a byte at a time; peers that send requests as fast as they can and never read; a loop that
 * connects, writes random bytes and leaves; a loop that connects and closes; a peer that opens
 * connections and never sends anything, holding a bounded number of them (closing the oldest).
 *
 * <p>Every loop ends at {@link #stop()} or at its deadline, whichever comes first, and the loops
 * that connect again and again do so at most {@link Plan#churnPerSecond} times a second each and at
 * most {@link #MAX_LOOPS} times in all. A peer the server drops is counted and replaced.
 */
final class HostilePeers implements AutoCloseable {

  /** The most connections any one loop opens over a run. */
  static final long MAX_LOOPS = 10_000_000;

  /**
   * What to run: {@code tricklers} peers trickling a byte every {@code trickleNanos} into a frame
   * announced {@code frameLimit - 1} bytes long; {@code flooders} flooding peers; {@code garbage}
   * random-bytes loops; {@code churners} connect-and-close loops; {@code silent} silent peers, each
   * holding up to {@code silentMax} connections; every connecting loop at most {@code
   * churnPerSecond} connections a second.
   */
  record Plan(
      int tricklers,
      long trickleNanos,
      int frameLimit,
      int flooders,
      int garbage,
      int churners,
      int silent,
      int silentMax,
      double churnPerSecond) {}

  /** What the peers did, counted as they went. */
  record Counts(
      long trickleBytes,
      long trickleDropped,
      long floodRequests,
      long floodDropped,
      long garbageLoops,
      long churnLoops,
      long silentOpened,
      long silentDropped,
      long connectFailures) {}

  private final InetSocketAddress address;
  private final Plan plan;
  private final long deadline;
  private final List<Thread> threads = new ArrayList<>();
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  private final AtomicLong trickleBytes = new AtomicLong();
  private final AtomicLong trickleDropped = new AtomicLong();
  private final AtomicLong floodRequests = new AtomicLong();
  private final AtomicLong floodDropped = new AtomicLong();
  private final AtomicLong garbageLoops = new AtomicLong();
  private final AtomicLong churnLoops = new AtomicLong();
  private final AtomicLong silentOpened = new AtomicLong();
  private final AtomicLong silentDropped = new AtomicLong();
  private final AtomicLong connectFailures = new AtomicLong();

  private HostilePeers(int port, Plan plan, long maxNanos) {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.plan = plan;
    this.deadline = System.nanoTime() + maxNanos;
  }

  /**
   * Starts every peer of {@code plan} against 127.0.0.1:{@code port}; they stop by themselves after
   * {@code maxNanos}.
   */
  static HostilePeers start(int port, Plan plan, long maxNanos) {
    HostilePeers peers = new HostilePeers(port, plan, maxNanos);
    if (plan.tricklers() > 0) {
      peers.thread("trickle", peers::trickle);
    }
    for (int i = 0; i < plan.flooders(); i++) {
      peers.thread("flood " + (i + 1), peers::flood);
    }
    for (int i = 0; i < plan.garbage(); i++) {
      long seed = 42 + i;
      peers.thread("garbage " + (i + 1), () -> peers.garbage(new Random(seed)));
    }
    for (int i = 0; i < plan.churners(); i++) {
      peers.thread("churn " + (i + 1), peers::churn);
    }
    for (int i = 0; i < plan.silent(); i++) {
      peers.thread("silent " + (i + 1), peers::silent);
    }
    return peers;
  }

  /** What the peers did so far. */
  Counts counts() {
    return new Counts(
        trickleBytes.get(),
        trickleDropped.get(),
        floodRequests.get(),
        floodDropped.get(),
        garbageLoops.get(),
        churnLoops.get(),
        silentOpened.get(),
        silentDropped.get(),
        connectFailures.get());
  }

  /** Stops every peer and closes every connection they hold; waits for their threads. */
  void stop() throws InterruptedException {
    stopping = true;
    for (SocketChannel c : open) {
      closeQuietly(c);
    }
    for (Thread t : threads) {
      t.interrupt();
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    for (SocketChannel c : open) {
      closeQuietly(c); // any a loop opened while stopping
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void thread(String name, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (RuntimeException e) {
                if (!stopping) {
                  throw e;
                }
              }
            },
            "hostile " + name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private boolean going() {
    return !stopping && System.nanoTime() - deadline < 0;
  }

  /** Connects, registered for {@link #stop()}; null (counted) if the server is not there. */
  private SocketChannel connect(int receiveBuffer) {
    SocketChannel c = null;
    try {
      c = SocketChannel.open();
      open.add(c);
      if (receiveBuffer > 0) {
        c.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
      }
      c.connect(address);
      if (stopping) {
        release(c);
        return null;
      }
      return c;
    } catch (IOException e) {
      if (c != null) {
        release(c);
      }
      if (!stopping) {
        connectFailures.incrementAndGet();
        pause(TimeUnit.MILLISECONDS.toNanos(10)); // the server refuses: no busy loop
      }
      return null;
    }
  }

  /**
   * Counts a connection of a peer that failed or could not be used, unless {@link #stop()} has
   * begun: then the failure is the stop's own close, not the server's doing.
   */
  private void dropped(AtomicLong count) {
    if (!stopping) {
      count.incrementAndGet();
    }
  }

  private void release(SocketChannel c) {
    open.remove(c);
    closeQuietly(c);
  }

  /** Sleeps {@code nanos} unless stopping; false if the run is over. */
  private boolean pause(long nanos) {
    if (nanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        return false;
      }
    }
    return going();
  }

  private long churnPause() {
    return plan.churnPerSecond() > 0 ? Math.round(1e9 / plan.churnPerSecond()) : 0;
  }

  // ---- the peers

  /** Announces a frame {@code frameLimit - 1} bytes long, then sends its body a byte at a time. */
  private SocketChannel startTrickle() {
    SocketChannel c = connect(0);
    if (c == null) {
      return null;
    }
    try {
      c.write(ByteBuffer.wrap(BSUInt.encode(plan.frameLimit() - 1L)));
      c.configureBlocking(false);
      return c;
    } catch (IOException e) {
      dropped(trickleDropped);
      release(c);
      return null;
    }
  }

  private void trickle() {
    SocketChannel[] peers = new SocketChannel[plan.tricklers()];
    ByteBuffer one = ByteBuffer.allocate(1);
    ByteBuffer sink = ByteBuffer.allocate(4096);
    for (int i = 0; i < peers.length && going(); i++) {
      peers[i] = startTrickle();
    }
    while (pause(plan.trickleNanos())) {
      for (int i = 0; i < peers.length && going(); i++) {
        SocketChannel c = peers[i];
        if (c == null) {
          peers[i] = startTrickle();
          continue;
        }
        try {
          sink.clear();
          if (c.read(sink) < 0) {
            throw new IOException("the server ended the connection");
          }
          one.clear().put((byte) 0).flip();
          trickleBytes.addAndGet(c.write(one));
        } catch (IOException e) {
          dropped(trickleDropped);
          release(c);
          peers[i] = null; // replaced on the next round
        }
      }
    }
  }

  /**
   * Requests of 32 bytes, type 0, tags counting up, as fast as the socket takes them; never reads.
   */
  private void flood() {
    byte[] payload = new byte[32];
    ByteBuffer batch = ByteBuffer.allocate(64 * 1024);
    long loops = 0;
    while (going() && loops++ < MAX_LOOPS) {
      SocketChannel c = connect(4096);
      if (c == null) {
        continue;
      }
      long tag = 2;
      try {
        while (going()) {
          batch.clear();
          int n = 0;
          while (batch.remaining() >= 64) {
            PacketCodec.encode(Packet.request(0, tag++, 0, 0, payload), batch);
            n++;
          }
          batch.flip();
          while (batch.hasRemaining()) {
            c.write(batch);
          }
          floodRequests.addAndGet(n);
        }
      } catch (IOException e) {
        dropped(floodDropped);
      } finally {
        release(c);
      }
    }
  }

  /** Connects, writes 1 to 4096 random bytes, leaves; again. */
  private void garbage(Random random) {
    byte[] bytes = new byte[4096];
    for (long loops = 0; going() && loops < MAX_LOOPS; loops++) {
      SocketChannel c = connect(0);
      if (c != null) {
        random.nextBytes(bytes);
        try {
          c.write(ByteBuffer.wrap(bytes, 0, 1 + random.nextInt(bytes.length)));
          garbageLoops.incrementAndGet();
        } catch (IOException e) {
          dropped(connectFailures);
        } finally {
          release(c);
        }
      }
      if (!pause(churnPause())) {
        break;
      }
    }
  }

  /** Connects and closes; again. */
  private void churn() {
    for (long loops = 0; going() && loops < MAX_LOOPS; loops++) {
      SocketChannel c = connect(0);
      if (c != null) {
        churnLoops.incrementAndGet();
        release(c);
      }
      if (!pause(churnPause())) {
        break;
      }
    }
  }

  /**
   * Opens connections that send nothing, up to {@code silentMax} at once, closing the oldest for
   * each new one past that; counts those the server ends first.
   */
  private void silent() {
    ArrayDeque<SocketChannel> held = new ArrayDeque<>();
    ByteBuffer sink = ByteBuffer.allocate(4096);
    try (Selector selector = Selector.open()) {
      for (long loops = 0; going() && loops < MAX_LOOPS; loops++) {
        SocketChannel c = connect(0);
        if (c != null) {
          try {
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ);
            held.add(c);
            silentOpened.incrementAndGet();
          } catch (IOException e) {
            release(c);
          }
        }
        while (held.size() > plan.silentMax()) {
          release(held.poll());
        }
        selector.selectNow(
            key -> {
              SocketChannel s = (SocketChannel) key.channel();
              try {
                sink.clear();
                if (s.read(sink) >= 0) {
                  return; // the server's goodbye (ERQ, EOF): its close comes next
                }
              } catch (IOException e) {
                // reset: ended all the same
              }
              dropped(silentDropped);
              key.cancel();
              held.remove(s);
              release(s);
            });
        if (!pause(churnPause())) {
          break;
        }
      }
    } catch (IOException e) {
      connectFailures.incrementAndGet();
    } finally {
      for (SocketChannel c : held) {
        release(c);
      }
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // gone already
    }
  }
}
