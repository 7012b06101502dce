package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import io.packetstream.connection.TrafficListener;
import io.packetstream.wire.Packet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A traffic listener that throws on every event harms no request, whatever it throws, and is logged
 * once per cause, not once per packet. An Error (a NoClassDefFoundError of a metrics library
 * missing from the class path) failed every connection, server and client side; an exception was
 * logged at WARNING with its stack trace for every packet.
 */
@Timeout(60)
class ListenerFailureTest {

  private static final int CALLS = 100;

  /** Throws from every event. */
  private record Broken(String name, Supplier<RuntimeException> exception)
      implements TrafficListener {

    private void fail() {
      throw exception.get();
    }

    @Override
    public void connectionOpened(PacketConnection connection) {
      fail();
    }

    @Override
    public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
      fail();
    }

    @Override
    public void packetSent(PacketConnection connection, Packet packet, int bytes) {
      fail();
    }

    @Override
    public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
      fail();
    }

    @Override
    public void requestStarted(
        PacketConnection connection, Direction direction, long channel, long tag, long rqType) {
      fail();
    }

    @Override
    public void requestFinished(
        PacketConnection connection,
        Direction direction,
        long channel,
        long tag,
        long rqType,
        Outcome outcome,
        long nanos) {
      fail();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @Test
  void aListenerThrowingAnExceptionIsLoggedOncePerCause() throws Exception {
    servesAndLogsOncePerCause(
        new Broken("throwing-listener", () -> new IllegalStateException("no meter")));
  }

  private static void servesAndLogsOncePerCause(Broken listener) throws Exception {
    try (LogCapture log = new LogCapture(TrafficListener.class, listener.name());
        PacketServer server =
            PacketServer.builder(
                    PacketConnection.builder()
                        .listener(listener)
                        .handler(rq -> Response.ok(rq.payload())))
                .bindLoopback(0);
        PacketConnection conn =
            PacketClient.connect(
                "127.0.0.1", server.port(), PacketConnection.builder().listener(listener))) {
      for (int i = 0; i < CALLS; i++) {
        byte[] payload = {(byte) i};
        assertThat(conn.call(0, 1, 0, payload, Duration.ofSeconds(10)))
            .isEqualTo(Response.ok(payload));
      }
      // six events, two connections: a line for each cause of each, never one per packet
      assertThat(log.atLeast(Level.WARNING)).hasSizeBetween(1, 12);
    }
  }

  /** Throws {@code error} whenever a request of this end ends other than ok. */
  private static TrafficListener throwingAtFailedEnds(Supplier<Error> error) {
    return new TrafficListener() {
      @Override
      public void requestFinished(
          PacketConnection c,
          Direction d,
          long channel,
          long tag,
          long rqType,
          Outcome outcome,
          long nanos) {
        if (d == Direction.OUTBOUND && outcome != Outcome.OK) {
          throw error.get();
        }
      }
    };
  }

  /**
   * An Error from a listener as the connection ends (it fails the connection, as on any path) still
   * lets every pending request end and the connection terminate: the requests after the one whose
   * end the listener threw on were stranded, and the connection never terminated.
   */
  @Test
  void anErrorFromAListenerAsTheConnectionEndsStrandsNoRequest() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    TrafficListener throwing = throwingAtFailedEnds(() -> new AssertionError("listener bug"));
    try (PacketServer server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          never.await(20, TimeUnit.SECONDS);
                          return Response.empty();
                        }))
            .bindLoopback(0)) {
      PacketConnection client =
          PacketClient.connect(
              "127.0.0.1", server.port(), PacketConnection.builder().listener(throwing));
      List<CompletableFuture<Response>> requests = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        requests.add(client.submit(0, 1, 0, new byte[0], Duration.ZERO));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
      Throwable thrown = null;
      try {
        client.abort();
      } catch (AssertionError e) {
        thrown = e;
      }

      assertThat(thrown).hasMessage("listener bug");
      for (CompletableFuture<Response> f : requests) {
        assertThat(f).failsWithin(Duration.ofSeconds(5));
      }
      assertThat(client.termination().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
    } finally {
      never.countDown();
    }
  }

  /**
   * The same when the peer goes away: the requests its end of stream leaves without an answer all
   * end, though the listener throws an Error on the first.
   */
  @Test
  void anErrorFromAListenerAsThePeerGoesAwayStrandsNoRequest() throws Exception {
    CompletableFuture<Response> never = new CompletableFuture<>();
    TrafficListener throwing =
        throwingAtFailedEnds(() -> new NoClassDefFoundError("io/micrometer/core/instrument/Timer"));
    PacketServer server =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Reply.later(never)))
            .bindLoopback(0);
    PacketConnection client =
        PacketClient.connect(
            "127.0.0.1",
            server.port(),
            PacketConnection.builder().listener(throwing).closeTimeout(Duration.ofSeconds(30)));
    try {
      List<CompletableFuture<Response>> requests = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        requests.add(client.submit(1, 0, new byte[0]));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  server.connections().size() == 1
                      && server.connections().get(0).runningRequests() == 3);

      server.abort(); // the client's stream ends with its three requests pending

      // at once, not when some later timeout finds the connection (the client has none)
      assertThat(CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)))
          .failsWithin(Duration.ofSeconds(5));
      assertThat(requests).allMatch(CompletableFuture::isCompletedExceptionally);
    } finally {
      never.complete(Response.ok("late"));
      client.abort();
      server.abort();
    }
  }
}
