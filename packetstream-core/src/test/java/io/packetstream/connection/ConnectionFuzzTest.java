package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.BugDetectors;
import io.packetstream.wire.MalformedFrameException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Fuzz target of a whole connection: a {@link PacketConnection} served by an event loop over two
 * {@link Pipe}s, or for one input in four (length / 4 a multiple of 4) over a TCP connection on
 * 127.0.0.1, whose peer's byte stream is the fuzzer's input, followed by the end of the
 * stream. The connection has submitted two requests of its own first; its handler answers at
 * once, throws, fails as asked, or answers later, by request type, and on inputs of odd length it
 * is a {@link BufferHandler} answering on the loop instead. Inputs whose length is 2 or 3 modulo 4
 * meet a frame limit of 100 bytes.
 */
class ConnectionFuzzTest {

  /** Generous bounds: a finding is a connection that does not end at all, not a slow one. */
  private static final long END_SECONDS = 20;

  private static final EventLoopGroup GROUP = EventLoopGroup.create("fuzz-io", 1);
  private static final ExecutorService HANDLERS = pool("fuzz-handler", 2);
  private static final ExecutorService PEER = pool("fuzz-peer", 2);
  /** Held, so that the level set on it stays: the connections' warnings would flood the run. */
  private static final Logger QUIET = Logger.getLogger("io.packetstream");

  private static final ServerSocketChannel LISTENER = listen();

  static {
    QUIET.setLevel(Level.OFF);
    // Jazzer's request-forgery detector: connections to our own listener are the point
    try {
      BugDetectors.allowNetworkConnections((host, port) -> port == LISTENER.socket().getLocalPort());
    } catch (IllegalStateException e) {
      // no Jazzer agent (the class is used by a plain test): no detector either
    }
  }

  /**
   * Whatever the peer sends, the connection ends within a bounded time, CLOSED or FAILED with a
   * {@link MalformedFrameException}; every request it submitted has ended, with a response or a
   * {@link ConnectionClosedException}; the group is back to no connections and no buffered
   * inbound bytes; and no thread started during the run outlives it, the group keeping its one.
   */
  @FuzzTest
  void peerStream(byte[] input) throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    boolean direct = input.length % 2 == 1;
    boolean smallFrames = input.length / 2 % 2 == 1;
    boolean tcp = input.length / 4 % 4 == 0;
    PacketConnection.Builder builder = PacketConnection.builder()
        .name("fuzzed")
        .eventLoops(GROUP)
        .executor(HANDLERS)
        .closeTimeout(Duration.ofSeconds(2));
    if (smallFrames) {
      builder.maxFrameLength(100);
    }
    if (direct) {
      builder.bufferHandler(ConnectionFuzzTest::answerInPlace);
    } else {
      builder.handler(ConnectionFuzzTest::answer);
    }

    // the peer's ends: it writes into one, reads from the other, and ends its stream
    WritableByteChannel peerOut;
    ReadableByteChannel peerIn;
    Closeable peerEnds;
    List<Closeable> connectionEnds = new ArrayList<>();
    PacketConnection connection;
    if (tcp) {
      SocketChannel peer = SocketChannel.open(LISTENER.getLocalAddress());
      SocketChannel accepted = LISTENER.accept();
      connection = builder.open(accepted, true);
      connectionEnds.add(accepted);
      peerOut = peer;
      peerIn = peer;
      peerEnds = peer::shutdownOutput;
      connectionEnds.add(peer);
    } else {
      Pipe toConnection = Pipe.open();
      Pipe fromConnection = Pipe.open();
      connection = builder.open(toConnection.source(), fromConnection.sink());
      peerOut = toConnection.sink();
      peerIn = fromConnection.source();
      peerEnds = toConnection.sink();
      // the channels stay ours: closing them ends the peer's two threads' work
      connectionEnds.add(toConnection.source());
      connectionEnds.add(fromConnection.sink());
      connectionEnds.add(toConnection.sink());
      connectionEnds.add(fromConnection.source());
    }
    List<CompletableFuture<Response>> ours = new ArrayList<>();
    ours.add(connection.submit(0, 0, new byte[] {1, 2, 3}));
    ours.add(connection.submit(3, 1, new byte[0]));
    Future<?> drain = PEER.submit(() -> {
      ByteBuffer sink = ByteBuffer.allocate(8192);
      try {
        while (peerIn.read(sink.clear()) >= 0) {
          // the peer reads what the connection sends, so that its writes never stall
        }
      } catch (IOException e) {
        // the connection reset the TCP connection, or the test closed the pipe
      }
      return null;
    });
    Future<?> write = PEER.submit(() -> {
      try {
        ByteBuffer bytes = ByteBuffer.wrap(input);
        while (bytes.hasRemaining()) {
          peerOut.write(bytes);
        }
        peerEnds.close();
      } catch (IOException e) {
        // the connection stopped reading (it failed) and closed its end, or the test did
      }
      return null;
    });

    try {
      try {
        connection.termination().toCompletableFuture().get(END_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("the connection did not end in " + END_SECONDS + " s: "
            + connection + ", pending " + connection.pendingRequests() + ", running "
            + connection.runningRequests() + ", queued answers " + connection.queuedAnswerBytes()
            + ", received " + connection.bytesReceived() + " of " + input.length + " bytes");
      }
      assertThat(connection.state()).isIn(ConnectionState.CLOSED, ConnectionState.FAILED);
      if (connection.state() == ConnectionState.FAILED) {
        assertThat(connection.failure()).get().as("why the connection failed")
            .isInstanceOf(MalformedFrameException.class);
      }
      for (CompletableFuture<Response> request : ours) {
        assertThat(request).as("a request of ours ends with the connection").isDone();
        if (request.isCompletedExceptionally()) {
          assertThat(request).failsWithin(Duration.ZERO).withThrowableThat()
              .havingCause().isInstanceOf(ConnectionClosedException.class);
        }
      }
    } finally {
      connection.abort();
      for (Closeable c : connectionEnds) {
        c.close();
      }
      write.get(END_SECONDS, TimeUnit.SECONDS);
      drain.get(END_SECONDS, TimeUnit.SECONDS);
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(END_SECONDS);
    while ((GROUP.connections() != 0 || GROUP.bufferedInboundBytes() != 0 || !newThreads(before).isEmpty())
        && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(GROUP.connections()).as("connections left on the group").isZero();
    assertThat(GROUP.bufferedInboundBytes()).as("inbound bytes left buffered").isZero();
    assertThat(newThreads(before)).as("threads started during the run and still alive").isEmpty();
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("fuzz-io"))).hasSize(1);
  }

  private static Reply answer(Request request) throws Exception {
    return switch ((int) (request.rqType() % 4)) {
      case 0 -> Response.ok(request.flags() & 0xffff, request.payload());
      case 1 -> throw new IllegalStateException("the handler throws");
      case 2 -> throw new RequestFailedException(Response.failure("refused as asked"));
      default -> Reply.later(CompletableFuture.supplyAsync(() -> Response.ok(request.payload()), HANDLERS));
    };
  }

  private static long answerInPlace(long rqType, long flags, ByteBuffer payload, ByteBuffer answer) {
    if (rqType % 2 == 1) {
      throw new IllegalStateException("the handler throws");
    }
    while (payload.hasRemaining() && answer.hasRemaining()) {
      answer.put(payload.get());
    }
    return flags & 0xffff;
  }

  private static List<String> newThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        .collect(Collectors.toList());
  }

  private static ServerSocketChannel listen() {
    try {
      ServerSocketChannel listener = ServerSocketChannel.open();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return listener;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ExecutorService pool(String name, int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.prestartAllCoreThreads();
    return pool;
  }
}
