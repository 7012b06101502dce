package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.packetstream.wire.MalformedFrameException;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.ByteArrayOutputStream;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target of a whole connection: a {@link PacketConnection} served by an event loop over two
 * {@link Pipe}s, or for one input in four (length / 4 a multiple of 4) over a TCP connection on
 * 127.0.0.1, whose peer's byte stream is the fuzzer's input, followed by the end of the stream. The
 * connection has submitted two requests of its own first; its handler answers at once, throws,
 * fails as asked, or answers later, by request type, and on inputs of odd length it is a {@link
 * BufferHandler} answering on the loop instead. Inputs whose length is 2 or 3 modulo 4 meet a frame
 * limit of 100 bytes.
 */
class ConnectionFuzzTest {

  /** Generous bounds: a finding is a connection that does not end at all, not a slow one. */
  private static final long END_SECONDS = 20;

  private static final PacketCodec CODEC = new PacketCodec(PacketCodec.LARGEST_MAX_FRAME_LENGTH);
  private static final int MAX_KEPT_OUTPUT = 4 << 20;
  private static final EventLoopGroup GROUP = EventLoopGroup.create("fuzz-io", 1);
  private static final ExecutorService HANDLERS = pool("fuzz-handler", 2);
  private static final ExecutorService PEER = pool("fuzz-peer", 2);

  /** Held, so that the level set on it stays: the connections' warnings would flood the run. */
  private static final Logger QUIET = Logger.getLogger("io.packetstream");

  private static Level levelBefore;

  private static final ServerSocketChannel LISTENER = listen();

  static {
    // Jazzer's request-forgery detector: connections to our own listener are the point
    try {
      BugDetectors.allowNetworkConnections(
          (host, port) -> port == LISTENER.socket().getLocalPort());
    } catch (IllegalStateException e) {
      // no Jazzer agent (the class is used by a plain test): no detector either
    }
  }

  @BeforeAll
  static void quiet() {
    levelBefore = QUIET.getLevel();
    QUIET.setLevel(Level.OFF);
  }

  /**
   * The other tests of the run see nothing of this one: the logging level they would have (some
   * check what is logged), and none of its threads or its listener.
   */
  @AfterAll
  static void leaveNothing() throws IOException {
    QUIET.setLevel(levelBefore);
    GROUP.close();
    HANDLERS.shutdown();
    PEER.shutdown();
    LISTENER.close();
  }

  /**
   * Whatever the peer sends, the connection ends within a bounded time, CLOSED or FAILED with a
   * {@link MalformedFrameException}; every request it submitted has ended, with a response or a
   * {@link ConnectionClosedException}; the group is back to no connections and no buffered inbound
   * bytes; no thread started during the run outlives it, the group keeping its one; and what it
   * sent is sound ({@link #checkAnswers}).
   */
  @FuzzTest
  void peerStream(byte[] input) throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    boolean direct = input.length % 2 == 1;
    boolean smallFrames = input.length / 2 % 2 == 1;
    boolean tcp = input.length / 4 % 4 == 0;
    PacketConnection.Builder builder =
        PacketConnection.builder()
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
    List<Closeable> connectionEnds = new ArrayList<>(); // closed when it has ended
    List<Closeable> peerChannels = new ArrayList<>(); // closed when the peer is done
    PacketConnection connection;
    if (tcp) {
      SocketChannel peer = SocketChannel.open(LISTENER.getLocalAddress());
      SocketChannel accepted = LISTENER.accept();
      connection = builder.open(accepted, true);
      connectionEnds.add(accepted);
      peerOut = peer;
      peerIn = peer;
      peerEnds = peer::shutdownOutput;
      peerChannels.add(peer);
    } else {
      Pipe toConnection = Pipe.open();
      Pipe fromConnection = Pipe.open();
      connection = builder.open(toConnection.source(), fromConnection.sink());
      peerOut = toConnection.sink();
      peerIn = fromConnection.source();
      peerEnds = toConnection.sink();
      // the channels stay ours: closing the connection's ends ends the peer's work
      connectionEnds.add(toConnection.source());
      connectionEnds.add(fromConnection.sink());
      peerChannels.add(toConnection.sink());
      peerChannels.add(fromConnection.source());
    }
    List<CompletableFuture<Response>> ours = new ArrayList<>();
    ours.add(connection.submit(0, 0, new byte[] {1, 2, 3}));
    ours.add(connection.submit(3, 1, new byte[0]));
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    AtomicBoolean reset = new AtomicBoolean();
    Future<?> drain =
        PEER.submit(
            () -> {
              // the peer reads what the connection sends, so that its writes never stall, and keeps
              // it
              ByteBuffer sink = ByteBuffer.allocate(8192);
              try {
                while (peerIn.read(sink.clear()) >= 0) {
                  if (sent.size() < MAX_KEPT_OUTPUT && !reset.get()) {
                    sent.write(sink.array(), 0, sink.position());
                  }
                }
              } catch (IOException e) {
                // a TCP connection closed with bytes unread is reset, and what was in flight is
                // lost
                reset.set(true);
              }
              return null;
            });
    Future<?> write =
        PEER.submit(
            () -> {
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
        throw new AssertionError(
            "the connection did not end in "
                + END_SECONDS
                + " s: "
                + connection
                + ", pending "
                + connection.pendingRequests()
                + ", running "
                + connection.runningRequests()
                + ", queued answers "
                + connection.queuedAnswerBytes()
                + ", received "
                + connection.bytesReceived()
                + " of "
                + input.length
                + " bytes");
      }
      assertThat(connection.state()).isIn(ConnectionState.CLOSED, ConnectionState.FAILED);
      if (connection.state() == ConnectionState.FAILED) {
        assertThat(connection.failure())
            .get()
            .as("why the connection failed")
            .isInstanceOf(MalformedFrameException.class);
      }
      for (CompletableFuture<Response> request : ours) {
        assertThat(request).as("a request of ours ends with the connection").isDone();
        if (request.isCompletedExceptionally()) {
          assertThat(request)
              .failsWithin(Duration.ZERO)
              .withThrowableThat()
              .havingCause()
              .isInstanceOf(ConnectionClosedException.class);
        }
      }
    } finally {
      connection.abort();
      for (Closeable c : connectionEnds) {
        c.close();
      }
      write.get(END_SECONDS, TimeUnit.SECONDS);
      drain.get(END_SECONDS, TimeUnit.SECONDS);
      for (Closeable c : peerChannels) {
        c.close();
      }
    }

    if (sent.size() < MAX_KEPT_OUTPUT) {
      checkAnswers(input, sent.toByteArray(), connection.state());
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(END_SECONDS);
    while ((GROUP.connections() != 0
            || GROUP.bufferedInboundBytes() != 0
            || !newThreads(before).isEmpty())
        && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(GROUP.connections()).as("connections left on the group").isZero();
    assertThat(GROUP.bufferedInboundBytes()).as("inbound bytes left buffered").isZero();
    assertThat(newThreads(before)).as("threads started during the run and still alive").isEmpty();
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("fuzz-io")))
        .hasSize(1);
  }

  /**
   * What the connection sent is well-formed frames (the last one may be cut short only when it
   * failed, which stops its writes wherever they are), ending with EOF when it closed cleanly; and
   * it answered only requests the peer sent, each (channel, tag) at most as many times as the peer
   * sent it.
   */
  private static void checkAnswers(byte[] input, byte[] sent, ConnectionState state) {
    Map<List<Long>, Integer> asked = new HashMap<>();
    ByteBuffer in = ByteBuffer.wrap(input);
    try {
      Packet p;
      while ((p = CODEC.decode(in)) != null) {
        if (p.request() && !p.isControl()) {
          asked.merge(List.of(p.channel(), p.tag()), 1, Integer::sum);
        }
      }
    } catch (MalformedFrameException e) {
      // what the connection read of the stream ends here too
    }
    ByteBuffer out = ByteBuffer.wrap(sent);
    List<Packet> packets = new ArrayList<>();
    try {
      Packet p;
      while ((p = CODEC.decode(out)) != null) {
        packets.add(p);
      }
    } catch (MalformedFrameException e) {
      throw new AssertionError("the connection sent a malformed frame after " + packets, e);
    }
    if (state == ConnectionState.CLOSED) {
      assertThat(out.hasRemaining()).as("bytes after the last whole frame sent").isFalse();
      assertThat(packets).as("sent by a connection that closed").isNotEmpty();
      assertThat(packets.get(packets.size() - 1).isEof())
          .as("the last packet sent is EOF: %s", packets.get(packets.size() - 1))
          .isTrue();
    }
    Map<List<Long>, Integer> answered = new HashMap<>();
    for (Packet p : packets) {
      if (!p.request()) {
        List<Long> key = List.of(p.channel(), p.tag());
        int n = answered.merge(key, 1, Integer::sum);
        assertThat(n)
            .as("answers to channel %d tag %d", p.channel(), p.tag())
            .isLessThanOrEqualTo(asked.getOrDefault(key, 0));
      }
    }
  }

  private static Reply answer(Request request) throws Exception {
    return switch ((int) (request.rqType() % 4)) {
      case 0 -> Response.ok(request.flags() & 0xffff, request.payload());
      case 1 -> throw new IllegalStateException("the handler throws");
      case 2 -> throw new RequestFailedException(Response.failure("refused as asked"));
      default ->
          Reply.later(
              CompletableFuture.supplyAsync(() -> Response.ok(request.payload()), HANDLERS));
    };
  }

  private static long answerInPlace(
      long rqType, long flags, ByteBuffer payload, ByteBuffer answer) {
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
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name + "-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.prestartAllCoreThreads();
    return pool;
  }
}
