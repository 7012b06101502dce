package io.packetstream.connection;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.transport.RawPeer;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link BufferHandler} answers like a {@link RequestHandler} would, whichever path its requests
 * take: straight from the buffers on a socket channel, or through the regular path when a listener
 * is installed or the transport is a stream pair.
 */
@Timeout(60)
class BufferHandlerTest {

  private static final long BOOM = 5;
  private static final long REFUSE = 6;
  private static final long HUGE = 7;
  private static final long BAD_FLAGS = 8;
  private static final long TWICE = 9;

  /** The threads the handler ran on. */
  private static final java.util.Set<String> THREADS =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Reverses the payload with the request's flags plus one; other types fail in their ways. */
  private static long handle(long rqType, long flags, ByteBuffer payload, ByteBuffer answer) {
    THREADS.add(Thread.currentThread().getName());
    if (rqType == TWICE) {
      answer.put(payload.duplicate()).put(payload);
      return flags;
    }
    if (rqType == BOOM) {
      throw new IllegalStateException("boom");
    }
    if (rqType == REFUSE) {
      throw new RequestFailedException(3, "refused".getBytes(UTF_8));
    }
    if (rqType == HUGE) {
      answer.put(new byte[answer.capacity() + 1]);
    }
    if (rqType == BAD_FLAGS) {
      return -1;
    }
    for (int i = payload.limit() - 1; i >= payload.position(); i--) {
      answer.put(payload.get(i));
    }
    return flags + 1;
  }

  private static byte[] reversed(byte[] in) {
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = in[in.length - 1 - i];
    }
    return out;
  }

  private static byte[] twice(byte[] in) {
    byte[] out = Arrays.copyOf(in, 2 * in.length);
    System.arraycopy(in, 0, out, in.length, in.length);
    return out;
  }

  private static Response call(PacketConnection c, long rqType, long flags, byte[] payload)
      throws Exception {
    return c.submit(rqType, flags, payload).get(10, TimeUnit.SECONDS);
  }

  /**
   * Every kind of answer, and 600 pipelined 1 KiB requests whose 2 KiB answers to one read's
   * requests overflow the 16 KiB write buffer.
   */
  private static void answersEverything(PacketConnection c) throws Exception {
    assertThat(call(c, 0, 41, "abc".getBytes(UTF_8)))
        .isEqualTo(Response.ok(42, "cba".getBytes(UTF_8)));
    assertThat(call(c, 0, 0, new byte[0])).isEqualTo(Response.ok(1, new byte[0]));
    assertThat(call(c, BOOM, 0, new byte[0])).isEqualTo(Response.failure());
    assertThat(call(c, REFUSE, 0, new byte[0]))
        .isEqualTo(Response.failure(3, "refused".getBytes(UTF_8)));
    assertThat(call(c, HUGE, 0, new byte[0])).isEqualTo(Response.failure(DirectAnswers.TOO_LARGE));
    assertThat(call(c, BAD_FLAGS, 0, new byte[0])).isEqualTo(Response.failure());
    assertThat(c.submit(3, 1, 0, new byte[0], java.time.Duration.ZERO).get(10, TimeUnit.SECONDS))
        .isEqualTo(Response.failure("unknown channel %d")); // the original's text, verbatim

    List<byte[]> payloads = new ArrayList<>();
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      byte[] p = new byte[1024];
      Arrays.fill(p, (byte) i);
      p[0] = (byte) (i >> 8);
      payloads.add(p);
      answers.add(c.submit(TWICE, i, p));
    }
    for (int i = 0; i < 600; i++) {
      assertThat(answers.get(i).get(10, TimeUnit.SECONDS))
          .isEqualTo(Response.ok(i, twice(payloads.get(i))));
    }
  }

  private static void overTcp(UnaryOperator<PacketConnection.Builder> server) throws Exception {
    PacketConnection.Builder builder =
        server.apply(
            PacketConnection.builder()
                .bufferHandler(BufferHandlerTest::handle)
                .bufferSize(16 * 1024));
    try (PacketServer s =
            PacketServer.builder(builder).bind(new InetSocketAddress("127.0.0.1", 0));
        PacketConnection c =
            PacketClient.connect("127.0.0.1", s.port(), PacketConnection.builder())) {
      answersEverything(c);
    }
  }

  @Test
  void answersKeptWhileThePeerDoesNotReadComeOutWholeAndInOrderOnceItDoes() throws Exception {
    // the peer writes every request before it reads anything: the server's socket fills, and the
    // answers wait behind the bytes it did not take, encoded, until the peer reads again
    int count = 3000;
    PacketConnection.Builder builder =
        PacketConnection.builder().bufferHandler(BufferHandlerTest::handle).bufferSize(16 * 1024);
    try (PacketServer s =
            PacketServer.builder(builder).bind(new InetSocketAddress("127.0.0.1", 0));
        io.packetstream.transport.RawPeer peer =
            new io.packetstream.transport.RawPeer(s.port(), 8 * 1024)) {
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < count; i++) {
        byte[] p = new byte[4000 + i % 97];
        Arrays.fill(p, (byte) i);
        p[0] = (byte) (i >> 8);
        all.writeBytes(
            io.packetstream.wire.PacketCodec.encode(
                new io.packetstream.wire.Packet(0, 2 + i, i, true, 0, p)));
      }
      // under maxQueuedAnswerBytes (16 MiB): the server reads every request meanwhile
      peer.sendBytes(all.toByteArray());
      for (int i = 0; i < count; i++) {
        io.packetstream.wire.Packet answer = peer.receive();
        byte[] p = new byte[4000 + i % 97];
        Arrays.fill(p, (byte) i);
        p[0] = (byte) (i >> 8);
        assertThat(answer.tag()).isEqualTo(2 + i);
        assertThat(answer.ok()).isTrue();
        assertThat(answer.resultFlags()).isEqualTo(i + 1);
        assertThat(answer.payload()).isEqualTo(reversed(p));
      }
    }
  }

  @Test
  void answersStraightFromTheBuffersOverTcp() throws Exception {
    THREADS.clear();
    overTcp(b -> b);
    // on the event loop thread that read them, though the executor is the default one
    assertThat(THREADS).allMatch(t -> t.startsWith("packetstream-io-"));
  }

  @Test
  void answersTheSameThroughTheRegularPathWhenAListenerWatches() throws Exception {
    RecordingListener listener = new RecordingListener();
    THREADS.clear();
    overTcp(b -> b.listener(listener));
    assertThat(THREADS).noneMatch(t -> t.startsWith("packetstream-io-"));
    // the listener saw the requests as objects: the regular path served them
    assertThat(listener.finished).hasSizeGreaterThanOrEqualTo(607);
  }

  @Test
  void answersOverAStreamPair() throws Exception {
    try (ServerSocket listening =
            new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Socket near = new Socket(listening.getInetAddress(), listening.getLocalPort());
        Socket far = listening.accept();
        PacketConnection server =
            PacketConnection.builder()
                .bufferHandler(BufferHandlerTest::handle)
                .bufferSize(16 * 1024)
                .open(far.getInputStream(), far.getOutputStream());
        PacketConnection client =
            PacketConnection.builder().open(near.getInputStream(), near.getOutputStream())) {
      answersEverything(client);
    }
  }

  @Test
  void anAnswerOverMaxOutboundFrameLengthIsRefusedAsOnTheRegularPath() throws Exception {
    int limit = 4096;
    // the payload bytes an answer to tag 2 or 3 may have: its frame body is then exactly the limit
    int room = limit - PacketCodec.bodyLength(Packet.response(0, 2, true, 0, new byte[0]));
    String refusal =
        "answer too large: " + (room + 1) + " bytes (limit maxOutboundFrameLength=" + limit + ")";
    BufferHandler sized =
        (rqType, flags, payload, answer) -> {
          answer.put(new byte[(int) flags]); // both fit the 64 KiB answer buffer
          return 0;
        };
    // without a listener on the event loop, with one on the regular path: the same answers
    for (TrafficListener listener : List.of(TrafficListener.NONE, new RecordingListener())) {
      PacketConnection.Builder builder =
          PacketConnection.builder()
              .bufferHandler(sized)
              .maxOutboundFrameLength(limit)
              .listener(listener);
      try (PacketServer s =
              PacketServer.builder(builder).bind(new InetSocketAddress("127.0.0.1", 0));
          RawPeer peer = new RawPeer(s.port())) {
        Packet fits = peer.send(Packet.request(0, 2, room, 1, new byte[0])).receive();
        assertThat(fits.ok()).as("an answer at the limit, %s", listener).isTrue();
        assertThat(fits.payload()).hasSize(room);
        Packet over = peer.send(Packet.request(0, 3, room + 1, 1, new byte[0])).receive();
        assertThat(over.ok()).as("an answer over the limit, %s", listener).isFalse();
        assertThat(new String(over.payload(), UTF_8)).isEqualTo(refusal);
      }
    }
  }

  @Test
  void aLaterRequestHandlerOnChannelZeroReplacesIt() throws Exception {
    PacketConnection.Builder builder =
        PacketConnection.builder()
            .bufferHandler(BufferHandlerTest::handle)
            .handler(rq -> Response.ok("plain"));
    try (PacketServer s =
            PacketServer.builder(builder).bind(new InetSocketAddress("127.0.0.1", 0));
        PacketConnection c =
            PacketClient.connect("127.0.0.1", s.port(), PacketConnection.builder())) {
      assertThat(call(c, 0, 0, "abc".getBytes(UTF_8))).isEqualTo(Response.ok("plain"));
    }
  }

  @Test
  void answersWhatArrivedWithThePeersEofBeforeEndingItsSide() throws Exception {
    PacketConnection.Builder builder =
        PacketConnection.builder()
            .bufferHandler(BufferHandlerTest::handle)
            .closeTimeout(java.time.Duration.ofSeconds(5));
    try (PacketServer s =
            PacketServer.builder(builder).bind(new InetSocketAddress("127.0.0.1", 0));
        Socket raw = new Socket("127.0.0.1", s.port())) {
      raw.setSoTimeout(10_000);
      java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
      for (int tag = 2; tag < 5; tag++) {
        frames.write(
            io.packetstream.wire.PacketCodec.encode(
                new io.packetstream.wire.Packet(
                    0, tag, tag, true, 0, new byte[] {1, 2, (byte) tag})));
      }
      frames.write(io.packetstream.wire.PacketCodec.encode(io.packetstream.wire.Packet.EOF));
      raw.getOutputStream().write(frames.toByteArray()); // one write: requests and EOF in one read
      io.packetstream.wire.PacketCodec codec = new io.packetstream.wire.PacketCodec(1024);
      List<io.packetstream.wire.Packet> got = new ArrayList<>();
      io.packetstream.wire.Packet p;
      while ((p = codec.read(raw.getInputStream())) != null && !p.isEof()) {
        got.add(p);
      }
      assertThat(got).extracting(io.packetstream.wire.Packet::tag).containsExactly(2L, 3L, 4L);
      assertThat(got.get(2).payload()).containsExactly(4, 2, 1);
      assertThat(p).as("the server's EOF").isNotNull();
    }
  }
}
