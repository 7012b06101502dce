package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(60)
class ConnLoadCommandTest {

  private static final Pattern STEP =
      Pattern.compile(
          "conn step=(\\d+) protocol=(\\w+) open=(\\d+) answered=(\\d+) errors=(\\d+) seconds=\\d+\\.\\d{3}");
  private static final Pattern ACTIVE =
      Pattern.compile(
          "conn active=(\\d+) window=(\\d+) seconds=\\d+\\.\\d{3} requests=(\\d+) rps=(\\d+)"
              + " p50_us=\\d+\\.\\d p99_us=\\d+\\.\\d errors=(\\d+)");

  private static String done(
      int open, int answered, int connectFailures, int wrongAnswers, int lost, int unanswered) {
    return String.format(
        "conn done open=%d answered=%d connect_failures=%d wrong_answers=%d lost=%d"
            + " unanswered=%d errors=%d",
        open,
        answered,
        connectFailures,
        wrongAnswers,
        lost,
        unanswered,
        connectFailures + wrongAnswers + lost + unanswered);
  }

  private static Matcher match(Pattern pattern, String line, CommandRun run) {
    Matcher m = pattern.matcher(line);
    assertThat(m.matches()).as(line + " in:\n" + run.out() + run.err()).isTrue();
    return m;
  }

  @Test
  void everyConnectionOfEveryStepIsAnsweredByRrServerAndTheActivePhaseRuns() throws Exception {
    try (PacketServer server = RrServers.start()) {
      CommandRun run =
          CommandRun.of(
              "conn-load",
              "--port",
              Integer.toString(server.port()),
              "--steps",
              "10,20",
              "--active",
              "5",
              "--window",
              "2",
              "--active-seconds",
              "1",
              "--connecting",
              "7");

      assertThat(run.out().lines()).as(run.err()).hasSize(4);
      String[] lines = run.out().lines().toArray(String[]::new);
      Matcher first = match(STEP, lines[0], run);
      assertThat(first.group(1)).isEqualTo("10");
      assertThat(first.group(2)).isEqualTo("packetstream");
      assertThat(first.group(3)).isEqualTo("10");
      assertThat(first.group(4)).isEqualTo("10");
      assertThat(first.group(5)).isEqualTo("0");
      Matcher second = match(STEP, lines[1], run);
      assertThat(second.group(1)).isEqualTo("20");
      assertThat(second.group(3)).isEqualTo("20");
      assertThat(second.group(4)).isEqualTo("20");
      assertThat(second.group(5)).isEqualTo("0");
      Matcher active = match(ACTIVE, lines[2], run);
      assertThat(active.group(1)).isEqualTo("5");
      assertThat(active.group(2)).isEqualTo("2");
      assertThat(Long.parseLong(active.group(3))).isPositive();
      assertThat(Long.parseLong(active.group(4))).isPositive();
      assertThat(active.group(5)).isEqualTo("0");
      assertThat(lines[3]).isEqualTo(done(20, 20, 0, 0, 0, 0));
      assertThat(server.acceptedCount()).isEqualTo(20);
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void tcpConnectionsAreHeldAndSendNothing() throws Exception {
    AtomicInteger bytes = new AtomicInteger();
    CountDownLatch ended = new CountDownLatch(12);
    ScriptedServer.Script silent =
        peer -> {
          try (InputStream in = peer.socket.getInputStream()) {
            for (int b; (b = in.read()) >= 0; ) {
              bytes.incrementAndGet();
            }
          } finally {
            ended.countDown();
          }
        };
    try (ScriptedServer server = new ScriptedServer(silent)) {
      CommandRun run =
          CommandRun.of(
              "conn-load", "--port", server.portText(), "--protocol", "tcp", "--steps", "5,12");

      assertThat(run.out().lines()).as(run.err()).hasSize(3);
      String[] lines = run.out().lines().toArray(String[]::new);
      assertThat(match(STEP, lines[0], run).group(3)).isEqualTo("5");
      Matcher second = match(STEP, lines[1], run);
      assertThat(second.group(2)).isEqualTo("tcp");
      assertThat(second.group(3)).isEqualTo("12");
      assertThat(second.group(4)).isEqualTo("0");
      assertThat(second.group(5)).isEqualTo("0");
      assertThat(lines[2]).isEqualTo(done(12, 0, 0, 0, 0, 0));
      assertThat(run.exitCode()).isZero();
      // the command closed every connection before it returned: each peer saw its end
      assertThat(ended.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(server.acceptedCount()).isEqualTo(12);
      assertThat(bytes).hasValue(0);
    }
  }

  @Test
  void wrongAnswersAreErrorsAndFailTheRun() throws Exception {
    // answers every request with its own payload, not reversed
    PacketConnection.Builder echo =
        PacketConnection.builder()
            .executor(Runnable::run)
            .handler(request -> Response.ok(request.payload()));
    try (PacketServer server = PacketServer.builder(echo).bindLoopback(0)) {
      CommandRun run =
          CommandRun.of(
              "conn-load",
              "--port",
              Integer.toString(server.port()),
              "--steps",
              "4,8",
              "--active",
              "3",
              "--window",
              "2",
              "--active-seconds",
              "0.3");

      String[] lines = run.out().lines().toArray(String[]::new);
      assertThat(lines).as(run.err()).hasSize(4);
      Matcher first = match(STEP, lines[0], run);
      assertThat(first.group(3)).isEqualTo("4");
      assertThat(first.group(4)).isEqualTo("0");
      assertThat(first.group(5)).isEqualTo("4");
      assertThat(match(STEP, lines[1], run).group(5)).isEqualTo("8");
      Matcher active = match(ACTIVE, lines[2], run);
      assertThat(active.group(1)).isEqualTo("3");
      assertThat(active.group(3)).isEqualTo("0");
      long activeErrors = Long.parseLong(active.group(5));
      assertThat(activeErrors).isGreaterThanOrEqualTo(6);
      assertThat(lines[3]).isEqualTo(done(8, 0, 0, (int) (8 + activeErrors), 0, 0));
      assertThat(run.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void aServerThatGoesAwayLosesTheHeldConnectionsAndRefusesTheNextStep() throws Exception {
    PacketServer server = RrServers.start();
    PipedOutputStream goAheads = new PipedOutputStream();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new ConnLoadCommand(new PipedInputStream(goAheads)));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "--port", Integer.toString(server.port()), "--steps", "6,12", "--wait-stdin"));

    awaitLine(out, "conn step=6 ");
    assertThat(out.toString())
        .startsWith("conn step=6 protocol=packetstream open=6 answered=6 errors=0 ");
    server.abort();
    goAheads.write("go\n".getBytes(StandardCharsets.UTF_8));
    goAheads.flush();
    awaitLine(out, "conn step=12 ");
    goAheads.close();

    assertThat(exit.get(30, TimeUnit.SECONDS)).as(out + err.toString()).isEqualTo(1);
    String[] lines = out.toString().lines().toArray(String[]::new);
    assertThat(lines).hasSize(3);
    CommandRun run = new CommandRun(1, out.toString(), err.toString());
    Matcher second = match(STEP, lines[1], run);
    assertThat(Long.parseLong(second.group(5))).isGreaterThanOrEqualTo(6);
    assertThat(lines[2]).isEqualTo(done(0, 6, 6, 0, 6, 0));
  }

  @Test
  void requestsNeverAnsweredCountOnceTheTimeIsUp() throws Exception {
    // answers the first request on each connection and nothing after it
    ScriptedServer.Script firstOnly =
        peer -> {
          boolean answered = false;
          for (Packet p; (p = peer.receive()) != null; ) {
            if (p.request() && !p.isControl() && !answered) {
              peer.answer(
                  p, ConformanceHandler.REVERSE_FLAGS, ConformanceHandler.reversed(p.payload()));
              answered = true;
            }
          }
        };
    try (ScriptedServer server = new ScriptedServer(firstOnly)) {
      CommandRun run =
          CommandRun.of(
              "conn-load",
              "--port",
              server.portText(),
              "--steps",
              "3",
              "--active",
              "3",
              "--window",
              "2",
              "--active-seconds",
              "0.2",
              "--timeout-seconds",
              "0.5");

      String[] lines = run.out().lines().toArray(String[]::new);
      assertThat(lines).as(run.err()).hasSize(3);
      assertThat(match(STEP, lines[0], run).group(4)).isEqualTo("3");
      Matcher active = match(ACTIVE, lines[1], run);
      assertThat(active.group(3)).isEqualTo("0");
      assertThat(active.group(5)).isEqualTo("6");
      assertThat(lines[2]).isEqualTo(done(3, 3, 0, 0, 0, 6));
      assertThat(run.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void aStepWhoseAnswersNeverComeEndsAfterTheTimeout() throws Exception {
    ScriptedServer.Script mute =
        peer -> {
          while (peer.receive() != null) {
            // read on, answer nothing
          }
        };
    try (ScriptedServer server = new ScriptedServer(mute)) {
      CommandRun run =
          CommandRun.of(
              "conn-load", "--port", server.portText(), "--steps", "4", "--timeout-seconds", "0.5");

      String[] lines = run.out().lines().toArray(String[]::new);
      assertThat(lines).as(run.err()).hasSize(2);
      Matcher step = match(STEP, lines[0], run);
      assertThat(step.group(3)).isEqualTo("0");
      assertThat(step.group(4)).isEqualTo("0");
      assertThat(step.group(5)).isEqualTo("4");
      assertThat(lines[1]).isEqualTo(done(0, 0, 0, 0, 0, 4));
      assertThat(run.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void nothingListeningIsOneConnectFailurePerConnection() throws Exception {
    int port;
    try (PacketServer gone = RrServers.start()) {
      port = gone.port();
    }
    CommandRun run = CommandRun.of("conn-load", "--port", Integer.toString(port), "--steps", "3");

    assertThat(run.out().lines()).as(run.err()).hasSize(2);
    assertThat(run.out().lines().toList().get(1)).isEqualTo(done(0, 0, 3, 0, 0, 0));
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void badOptionsAreUsageErrors() {
    CommandRun falling = CommandRun.of("conn-load", "--port", "1", "--steps", "5,3");
    CommandRun tcpActive =
        CommandRun.of(
            "conn-load", "--port", "1", "--steps", "5", "--protocol", "tcp", "--active", "2");
    CommandRun tooMany = CommandRun.of("conn-load", "--port", "1", "--steps", "5", "--active", "6");

    assertThat(falling.err())
        .isEqualTo("conn-load: --steps must rise and be at least 1" + System.lineSeparator());
    assertThat(tcpActive.err())
        .isEqualTo("conn-load: --active needs --protocol packetstream" + System.lineSeparator());
    assertThat(tooMany.err())
        .startsWith("conn-load: --active 6 is not between 0 and the last step");
    assertThat(falling.exitCode()).isEqualTo(2);
    assertThat(tcpActive.exitCode()).isEqualTo(2);
    assertThat(tooMany.exitCode()).isEqualTo(2);
  }

  /** Waits, bounded by the test's timeout, until {@code out} holds a line starting so. */
  private static void awaitLine(StringWriter out, String start) throws InterruptedException {
    while (out.toString().lines().noneMatch(l -> l.startsWith(start))) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }
}
