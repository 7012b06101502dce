package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 2: an {@link Error} on an I/O path (a listener on the write path, the input
 * stream on the read path) fails that connection, and every request pending on it ends, instead of
 * silently killing a thread and leaving the connection open. (A {@link BufferHandler}'s Error is
 * its request's failure, as a {@link RequestHandler}'s is: {@code HandlerFailureLogTest}.)
 */
@Timeout(60)
class IoErrorTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Throws {@code error} from {@code packetSent} for the first request of type 2 it sees. */
  private static final class ThrowsOnSend implements TrafficListener {
    final OutOfMemoryError error = new OutOfMemoryError("test");
    private final AtomicBoolean armed = new AtomicBoolean(true);

    @Override
    public void packetSent(PacketConnection connection, Packet packet, int bytes) {
      if (packet.request() && packet.rqType() == 2 && armed.compareAndSet(true, false)) {
        throw error;
      }
    }
  }

  @Test
  void anErrorFromAListenerOnTheWritePathFailsTheConnectionAndEndsItsRequests() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          release.await(30, TimeUnit.SECONDS);
                          return Response.ok(rq.payload());
                        }))
            .name("write-error-server")
            .bindLoopback(0);
    ThrowsOnSend listener = new ThrowsOnSend();
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1",
            server.port(),
            PacketConnection.builder().name("write-error-client").listener(listener));
    try {
      List<CompletableFuture<Response>> requests = new ArrayList<>();
      // a request the peer holds: it is on the wire and pending when the error comes
      requests.add(client.submit(1, 0, new byte[] {1}));
      waiting()
          .until(
              () ->
                  server.connections().size() == 1
                      && server.connections().get(0).runningRequests() == 1);

      try {
        requests.add(client.submit(2, 0, new byte[] {2}));
      } catch (Throwable thrownBySubmit) {
        // an engine that writes on the submitting thread may let the error surface here
      }

      waiting().untilAsserted(() -> assertThat(client.state()).isEqualTo(ConnectionState.FAILED));
      assertThat(client.failure())
          .hasValueSatisfying(
              f ->
                  assertThat(causedBy(f, listener.error))
                      .as("the failure's cause chain holds the error: %s", f)
                      .isTrue());
      for (CompletableFuture<Response> r : requests) {
        assertThat(r)
            .failsWithin(WAIT)
            .withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(ConnectionClosedException.class);
      }
    } finally {
      release.countDown();
      client.abort();
      server.abort();
    }
  }

  @Test
  void anErrorFromTheInputStreamFailsTheConnectionAndEndsItsRequests() throws Exception {
    OutOfMemoryError error = new OutOfMemoryError("test");
    AtomicBoolean armed = new AtomicBoolean();
    try (PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder().handler(rq -> Response.ok(rq.payload())))
                .name("read-error-server")
                .bindLoopback(0);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      InputStream throwing =
          new FilterInputStream(socket.getInputStream()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              int n = super.read(b, off, len);
              if (armed.get()) {
                throw error; // the answers just read are lost with the connection
              }
              return n;
            }
          };
      PacketConnection client =
          PacketConnection.builder()
              .name("read-error-client")
              .open(throwing, socket.getOutputStream());
      try {
        assertThat(client.submit(1, 0, new byte[] {1}).get(10, TimeUnit.SECONDS).ok()).isTrue();
        armed.set(true);
        List<CompletableFuture<Response>> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          requests.add(client.submit(1, 0, new byte[] {3}));
        }

        waiting().untilAsserted(() -> assertThat(client.state()).isEqualTo(ConnectionState.FAILED));
        assertThat(client.failure())
            .hasValueSatisfying(
                f ->
                    assertThat(causedBy(f, error))
                        .as("the failure's cause chain holds the error: %s", f)
                        .isTrue());
        for (CompletableFuture<Response> r : requests) {
          assertThat(r)
              .failsWithin(WAIT)
              .withThrowableOfType(ExecutionException.class)
              .withCauseInstanceOf(ConnectionClosedException.class);
        }
      } finally {
        client.abort();
      }
    }
  }

  @Test
  void anErrorFromAListenerAsTheWriterEndsGivesItsWriteBufferBackOnce() throws Exception {
    OutOfMemoryError error = new OutOfMemoryError("test");
    TrafficListener throwsOnClose =
        new TrafficListener() {
          @Override
          public void connectionClosed(
              PacketConnection connection, java.util.Optional<Throwable> cause) {
            throw error;
          }
        };
    try (EventLoopGroup group = EventLoopGroup.create(1);
        ConnectedPair pair =
            new ConnectedPair(
                PacketConnection.builder()
                    .eventLoops(group)
                    .listener(throwsOnClose)
                    .handler(rq -> Response.ok(rq.payload())),
                PacketConnection.builder())) {
      assertThat(pair.right.call(0, 0, new byte[] {1}).ok()).isTrue();
      // the peer ends first: the left end's writer writes its EOF, the connection ends there and
      // then, and the listener's error comes out of the writer with its buffer in hand
      pair.right.close();
      waiting().until(() -> pair.left.state().isTerminal());
      // a buffer given back twice would be handed to two writers at once
      int count = 4 * group.threads() + 9;
      java.util.Set<java.nio.ByteBuffer> seen =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (int i = 0; i < count; i++) {
        assertThat(seen.add(group.acquireWriteBuffer())).as("buffer %d is new", i).isTrue();
      }
    }
  }

  @Test
  void aHandlersSlotIsFreedWhenItsAnswerThrowsSoThatACloseDoesNotWaitForIt() throws Exception {
    TrafficListener throwsOnAnswer =
        new TrafficListener() {
          @Override
          public void requestFinished(
              PacketConnection connection,
              Direction direction,
              long channel,
              long tag,
              long rqType,
              Outcome outcome,
              long nanos) {
            if (direction == Direction.INBOUND) {
              throw new OutOfMemoryError("test");
            }
          }
        };
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder()
                .listener(throwsOnAnswer)
                .closeTimeout(Duration.ofMinutes(5))
                .handler(rq -> Response.ok(rq.payload())),
            PacketConnection.builder())) {
      assertThat(pair.right.call(0, 0, new byte[] {1}).ok()).isTrue();
      waiting().until(() -> pair.left.runningRequests() == 0);
      // with the slot lost, the close would wait for the request to the 5 minute deadline
      Threads.run("close", pair.left::close);
      waiting().until(() -> pair.left.state() == ConnectionState.CLOSED);
    }
  }

  /**
   * A bounded wait that leaves threads' uncaught errors alone: the engine's own are the subject.
   */
  private static ConditionFactory waiting() {
    return await().dontCatchUncaughtExceptions().atMost(WAIT);
  }

  private static boolean causedBy(Throwable error, Throwable wanted) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t == wanted) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
