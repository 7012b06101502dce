package io.packetstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.connection.TrafficListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The accept loop outlives whatever is thrown at it, accepting or setting a connection up: it
 * pauses, says why once, and goes on; and when it does stop by itself the server says so.
 */
@Timeout(60)
class AcceptLoopFaultTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final PacketConnection.Builder ECHO =
      PacketConnection.builder().handler(rq -> Response.ok(rq.payload()));

  private static void assertServed(PacketServer server) throws Exception {
    try (PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      assertThat(client.call(0, 0, 0, new byte[] {7}, WAIT)).isEqualTo(Response.ok(new byte[] {7}));
    }
  }

  private static Socket connectRaw(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    return s;
  }

  @Test
  void anErrorThrownByAcceptDoesNotStopTheServer() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ServerSockets sockets =
        new ServerSockets(
            () ->
                new ServerSocket() {
                  @Override
                  public Socket accept() throws IOException {
                    if (calls.incrementAndGet() <= 3) {
                      throw new StackOverflowError("a test's, in accept");
                    }
                    return super.accept();
                  }
                });
    try (PacketServer server = PacketServer.builder(ECHO).socketFactory(sockets).bindLoopback(0)) {
      await().atMost(WAIT).until(() -> calls.get() >= 4);
      assertThat(server.isListening()).isTrue();
      assertServed(server);
    }
  }

  /** What a socket throws while the server sets its connection up. */
  @FunctionalInterface
  private interface SetUpFailure {
    void fail() throws SocketException;
  }

  /**
   * Server sockets whose first {@code failing} accepted sockets throw from every call the server
   * makes to set a connection up over them, as they would when the system is out of something;
   * {@code acceptCalls} gets the time of each call to accept.
   */
  private static ServerSockets failingSetUp(
      int failing, SetUpFailure failure, List<Long> acceptCalls) {
    AtomicInteger accepted = new AtomicInteger();
    return new ServerSockets(
        () ->
            new ServerSocket() {
              @Override
              public Socket accept() throws IOException {
                acceptCalls.add(System.nanoTime());
                if (accepted.incrementAndGet() > failing) {
                  return super.accept();
                }
                Socket s =
                    new Socket() {
                      @Override
                      public void setTcpNoDelay(boolean on) throws SocketException {
                        failure.fail();
                      }

                      @Override
                      public void setKeepAlive(boolean on) throws SocketException {
                        failure.fail();
                      }

                      @Override
                      public InputStream getInputStream() throws IOException {
                        failure.fail();
                        return super.getInputStream();
                      }

                      @Override
                      public OutputStream getOutputStream() throws IOException {
                        failure.fail();
                        return super.getOutputStream();
                      }
                    };
                implAccept(s);
                return s;
              }
            });
  }

  @Test
  void anErrorWhileOpeningAConnectionDropsThatPeerAndTheNextIsServed() throws Exception {
    ServerSockets sockets =
        failingSetUp(
            2,
            () -> {
              throw new OutOfMemoryError("a test's: cannot reserve direct buffer memory");
            },
            new CopyOnWriteArrayList<>());
    try (PacketServer server = PacketServer.builder(ECHO).socketFactory(sockets).bindLoopback(0)) {
      for (int i = 0; i < 2; i++) {
        try (PacketConnection dropped =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
          assertThat(dropped.termination().toCompletableFuture())
              .as("peer %d is disconnected", i + 1)
              .succeedsWithin(WAIT);
        }
      }
      assertThat(server.isListening()).isTrue();
      assertServed(server);
      assertThat(server.acceptedCount()).isEqualTo(3);
    }
  }

  @Test
  void anErrorThrownByAConnectionListenerAsItOpensDoesNotStopTheServer() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    PacketConnection.Builder failingTwice =
        ECHO.copy()
            .listener(
                new TrafficListener() {
                  @Override
                  public void connectionOpened(PacketConnection connection) {
                    if (opened.incrementAndGet() <= 2) {
                      throw new StackOverflowError("a test's, in a listener");
                    }
                  }
                });
    try (PacketServer server = PacketServer.builder(failingTwice).bindLoopback(0)) {
      for (int i = 1; i <= 2; i++) {
        // the peer may be dropped or served, as the connection decides; either way the server goes
        // on
        int peer = i;
        try (PacketConnection client =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
          await().atMost(WAIT).until(() -> opened.get() >= peer);
        }
      }
      assertThat(server.isListening()).isTrue();
      assertServed(server);
    }
  }

  @Test
  void failuresSettingUpAConnectionAreBackedOffLikeFailedAccepts() throws Exception {
    List<Long> acceptCalls = new CopyOnWriteArrayList<>();
    ServerSockets sockets =
        failingSetUp(
            4,
            () -> {
              throw new SocketException("Too many open files (a test's)");
            },
            acceptCalls);
    List<Socket> waiting = new ArrayList<>();
    try (PacketServer server = PacketServer.builder(ECHO).socketFactory(sockets).bindLoopback(0)) {
      for (int i = 0; i < 4; i++) {
        waiting.add(connectRaw(server.port())); // in the backlog: each accept returns at once
      }
      await().atMost(WAIT).until(() -> acceptCalls.size() >= 5);
      for (int i = 1; i < 5; i++) {
        long pauseMillis =
            TimeUnit.NANOSECONDS.toMillis(acceptCalls.get(i) - acceptCalls.get(i - 1));
        assertThat(pauseMillis)
            .as("pause before accept %d", i + 1)
            .isGreaterThanOrEqualTo(
                (Backoff.FIRST_MILLIS << (i - 1)) - 1); // a millisecond for rounding
      }
      assertServed(server);
    } finally {
      for (Socket s : waiting) {
        s.close();
      }
    }
  }

  @Test
  void logsOneLinePerBackOffWithTheReasonAndOnceWhenAcceptingWorksAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ServerSockets sockets =
        new ServerSockets(
            () ->
                new ServerSocket() {
                  @Override
                  public Socket accept() throws IOException {
                    if (calls.incrementAndGet() <= 6) {
                      throw new SocketException("Too many open files");
                    }
                    return super.accept();
                  }
                });
    try (LogCapture log = new LogCapture(PacketServer.class, "log-test-server:");
        PacketServer server =
            PacketServer.builder(ECHO)
                .name("log-test-server")
                .socketFactory(sockets)
                .bindLoopback(0)) {
      await().atMost(WAIT).until(() -> calls.get() >= 7);
      assertServed(server);
      await().atMost(WAIT).until(() -> log.records().size() >= 2);

      List<LogRecord> warnings = log.atLeast(Level.WARNING);
      assertThat(warnings).as("lines for six failed accepts in a row").hasSize(1);
      assertThat(warnings.get(0).getMessage()).contains("accept", "Too many open files", "pausing");
      assertThat(warnings.get(0).getThrown()).as("a stack trace").isNull();
      List<LogRecord> all = log.atLeast(Level.INFO);
      assertThat(all).hasSize(2);
      assertThat(all.get(1).getLevel()).isEqualTo(Level.INFO);
      assertThat(all.get(1).getMessage()).contains("again", "6 failures");
    }
  }

  @Test
  void stopsSayingItListensWhenItsListenerIsClosedUnderIt() throws Exception {
    AtomicReference<ServerSocket> made = new AtomicReference<>();
    ServerSockets sockets =
        new ServerSockets(
            () -> {
              ServerSocket s = new ServerSocket();
              made.set(s);
              return s;
            });
    try (PacketServer server = PacketServer.builder(ECHO).socketFactory(sockets).bindLoopback(0)) {
      assertServed(server);
      made.get().close();
      await().atMost(WAIT).until(() -> !server.isListening());
    }
  }
}
