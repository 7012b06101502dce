package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class RrLoadTest {

  private static final Pattern LINE =
      Pattern.compile(
          "rr impl=packetstream-java payload=(\\d+) window=(\\d+) requests=(\\d+) seconds=\\d+\\.\\d{3}"
              + " rps=\\d+ p50_us=\\d+\\.\\d p99_us=\\d+\\.\\d errors=(\\d+)");

  /**
   * Runs rr-client against {@code port} with these counts (its required options) and any further
   * options.
   */
  private static CommandRun rrClient(
      int port, int requests, int window, int payload, String... more) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "rr-client",
            "--port",
            Integer.toString(port),
            "--requests",
            Integer.toString(requests),
            "--window",
            Integer.toString(window),
            "--payload",
            Integer.toString(payload)));
    args.addAll(List.of(more));
    return CommandRun.of(args.toArray(String[]::new));
  }

  @Test
  void clientPrintsOneWellFormedLineAgainstTheServer() throws Exception {
    try (PacketServer server = RrServers.start()) {
      CommandRun run = rrClient(server.port(), 3000, 16, 32);

      assertThat(run.out().lines()).hasSize(1);
      Matcher m = LINE.matcher(run.out().strip());
      assertThat(m.matches()).as(run.out() + run.err()).isTrue();
      assertThat(m.group(1)).isEqualTo("32");
      assertThat(m.group(2)).isEqualTo("16");
      assertThat(m.group(3)).isEqualTo("3000");
      assertThat(m.group(4)).isEqualTo("0");
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void windowOfOneAndLargePayloadsWork() throws Exception {
    try (PacketServer server = RrServers.start()) {
      CommandRun run = rrClient(server.port(), 500, 1, 4096, "--grace-ms", "0");

      assertThat(run.out().strip()).matches(LINE).contains("window=1 ").endsWith("errors=0");
      assertThat(run.exitCode()).isZero();
    }
  }

  /** The BufferHandler and the RequestHandler the hidden --request-handler picks answer alike. */
  @Test
  void bothHandlersOfTheServerAnswerAlike() throws Exception {
    for (boolean requestHandler : new boolean[] {false, true}) {
      try (PacketServer server = RrServers.start(Endpoint.loopback(0), requestHandler);
          PacketConnection c =
              io.packetstream.transport.PacketClient.connect(
                  "127.0.0.1", server.port(), PacketConnection.builder())) {
        Response reversed = c.call(0, 0, 0, new byte[] {1, 2, 3, 4, 5}, Duration.ofSeconds(5));
        Response refused = c.call(0, 1, 0, new byte[] {1}, Duration.ofSeconds(5));

        assertThat(reversed)
            .as("requestHandler=" + requestHandler)
            .isEqualTo(
                new Response(true, ConformanceHandler.REVERSE_FLAGS, new byte[] {5, 4, 3, 2, 1}));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.text()).isEqualTo("rr-server serves only type 0 (reverse), not type 1");
      }
    }
  }

  @Test
  void spinningServerAndClientWork() throws Exception {
    Endpoint spinning = Endpoint.loopback(0);
    spinning.spinUs = 50L;
    try (PacketServer server = RrServers.start(spinning, false)) {
      CommandRun run = rrClient(server.port(), 3000, 4, 32, "--spin-us", "50");

      assertThat(run.out().strip())
          .as(run.err())
          .matches(LINE)
          .contains("window=4 ")
          .endsWith("errors=0");
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void wrongAnswersCountAsErrors() throws Exception {
    // a server that echoes instead of reversing: every request whose payload is not a palindrome
    // is answered wrongly; rr payloads are one byte repeated, so flip the first byte instead
    PacketConnection.Builder wrong =
        PacketConnection.builder()
            .executor(Runnable::run)
            .handler(
                request -> {
                  byte[] p = request.payload().clone();
                  if (p.length > 0 && request.tag() % 2 == 0) {
                    p[0]++;
                  }
                  return Response.ok(p);
                });
    try (PacketServer server = PacketServer.builder(wrong).bindLoopback(0)) {
      CommandRun run = rrClient(server.port(), 1000, 8, 8);

      Matcher m = LINE.matcher(run.out().strip());
      assertThat(m.matches()).as(run.out() + run.err()).isTrue();
      // half of the warm-up's 20000 and half of the measured 1000
      assertThat(Long.parseLong(m.group(4))).isEqualTo(10_500);
      assertThat(run.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void refusedConnectionIsOneLineOnStderr() throws Exception {
    int port;
    try (PacketServer gone = RrServers.start()) {
      port = gone.port();
    }
    CommandRun run = rrClient(port, 10, 1, 1);

    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines())
        .singleElement()
        .asString()
        .startsWith("rr-client: java.net.ConnectException");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void aPayloadOverTheFrameLimitIsAUsageError() throws Exception {
    // it made 512 payloads of that size before sending any: out of heap, a stack trace, exit 1
    try (PacketServer server = RrServers.start()) {
      for (int payload : new int[] {Integer.MAX_VALUE, 16 * 1024 * 1024 + 1}) {
        CommandRun run = rrClient(server.port(), 10, 1, payload);

        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines())
            .singleElement()
            .asString()
            .startsWith("rr-client: --payload " + payload + " is over ");
        assertThat(run.exitCode()).isEqualTo(2);
      }
    }
  }

  /** A load larger than the heap is a usage error up front, not an OutOfMemoryError's trace. */
  @Test
  void aLoadLargerThanTheHeapIsAUsageError() {
    int payload = RrClientCommand.MAX_PAYLOAD;
    int window = (int) (Runtime.getRuntime().maxMemory() / payload) + 1;

    CommandRun run = rrClient(1, 10, window, payload);

    assertThat(run.err().lines())
        .singleElement()
        .asString()
        .startsWith("rr-client: --payload " + payload + " at --window " + window + " needs about ")
        .contains("give java a larger -Xmx");
    assertThat(run.exitCode()).isEqualTo(2);
  }

  /** A bad value of an option stops rr-client before it connects, with one line on stderr. */
  @ParameterizedTest
  @CsvSource({
    "--spin-us, 1000001, '--spin-us 1000001 is not between 0 and 1000000'",
    "--grace-ms, -1, '--grace-ms -1.0 is negative'",
    "--grace-ms, 1e12, '--grace-ms 1.0E12 is over 10000'",
  })
  void badOptionValueIsAUsageError(String option, String value, String message) {
    CommandRun run = rrClient(1, 10, 1, 1, option, value);

    assertThat(run.err()).isEqualTo("rr-client: " + message + System.lineSeparator());
    assertThat(run.exitCode()).isEqualTo(2);
  }

  @Test
  void loadStopsWhenTheConnectionEnds() throws Exception {
    PacketServer server = RrServers.start();
    PacketConnection c =
        io.packetstream.transport.PacketClient.connect(
            "127.0.0.1", server.port(), PacketConnection.builder());
    server.abort();
    RrLoad load = new RrLoad(c, 4, 16);

    boolean finished = load.run(0, 1000, null, Duration.ofSeconds(20).toNanos());

    assertThat(finished).isFalse();
    assertThat(load.errors()).isPositive();
    c.close();
  }

  /**
   * A service that reverses the first {@code answers} requests and then ends its side of the stream
   * cleanly (no RST, so every answer it sent arrives), reading on until the client goes.
   */
  private static ScriptedServer.Script reversesThenEnds(int answers) {
    return peer -> {
      int answered = 0;
      for (Packet p; (p = peer.receive()) != null; ) {
        if (p.request() && !p.isControl() && answered < answers) {
          peer.answer(
              p, ConformanceHandler.REVERSE_FLAGS, ConformanceHandler.reversed(p.payload()));
          if (++answered == answers) {
            // end a while after the last answer, so that the client's phase lasts long enough
            // for its seconds, rounded to milliseconds, to tell its rate
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            peer.socket.shutdownOutput();
          }
        }
      }
    };
  }

  @Test
  void brokenWarmUpStillPrintsTheLineWithEveryUnansweredRequestAnError() throws Exception {
    try (ScriptedServer server = new ScriptedServer(reversesThenEnds(100))) {
      CommandRun run = rrClient(server.port(), 1000, 8, 16);

      assertThat(run.out().lines()).as(run.err()).hasSize(1);
      Matcher m = LINE.matcher(run.out().strip());
      assertThat(m.matches()).as(run.out() + run.err()).isTrue();
      assertThat(run.out()).contains(" seconds=0.000 rps=0 ");
      // the warm-up's 20000 less the 100 answered, and the 1000 measured ones never sent
      assertThat(Long.parseLong(m.group(4))).isEqualTo(20_000 - 100 + 1000);
      assertThat(run.err()).startsWith("rr-client: the warm-up did not finish");
      assertThat(run.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void brokenMeasuredRunCountsOnlyAnsweredRequestsInTheRate() throws Exception {
    try (ScriptedServer server = new ScriptedServer(reversesThenEnds(20_000 + 50))) {
      CommandRun run = rrClient(server.port(), 1000, 8, 16);

      Matcher m =
          Pattern.compile(".* seconds=(\\d+\\.\\d{3}) rps=(\\d+) .*").matcher(run.out().strip());
      assertThat(m.matches()).as(run.out() + run.err()).isTrue();
      assertThat(run.out().strip()).matches(LINE).endsWith(" errors=950");
      // 50 answers in S seconds, not 1000 (S is rounded to milliseconds)
      double seconds = Double.parseDouble(m.group(1));
      assertThat(Long.parseLong(m.group(2)) * seconds).isLessThanOrEqualTo(60.0);
      assertThat(run.err()).startsWith("rr-client: the measured run did not finish");
      assertThat(run.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void lateAnswersAfterATimedOutPhaseAreNeitherCountedAgainNorFollowedByMoreRequests()
      throws Exception {
    // type 0 is held until the test lets it go, then answered wrongly; type 1 answers at once
    List<CompletableFuture<Response>> held = new CopyOnWriteArrayList<>();
    AtomicInteger received = new AtomicInteger();
    PacketConnection.Builder holding =
        PacketConnection.builder()
            .handler(
                request -> {
                  if (request.rqType() == 1) {
                    return Response.empty();
                  }
                  received.incrementAndGet();
                  byte[] wrong = request.payload().clone();
                  wrong[0]++;
                  CompletableFuture<Response> answer = new CompletableFuture<>();
                  held.add(answer);
                  return Reply.later(answer.thenApply(ignored -> Response.ok(wrong)));
                });
    try (PacketServer server = PacketServer.builder(holding).bindLoopback(0);
        PacketConnection c =
            PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      RrLoad load = new RrLoad(c, 4, 8);

      boolean finished = load.run(0, 10, null, Duration.ofMillis(300).toNanos());
      assertThat(finished).isFalse();
      assertThat(load.errors()).isEqualTo(10);

      held.forEach(answer -> answer.complete(null));
      // answers come in order on the reader thread: once this one is back, the late ones are in
      c.call(0, 1, 0, new byte[0], Duration.ofSeconds(10));

      assertThat(load.errors()).isEqualTo(10);
      assertThat(load.answered()).isZero();
      assertThat(received).hasValue(4);
    }
  }
}
