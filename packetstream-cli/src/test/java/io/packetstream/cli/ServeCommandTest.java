package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code serve}: the mock peer's replies, its replies files and their errors, over 127.0.0.1. */
@Timeout(60)
class ServeCommandTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** A server of this table on a free port, the requests it logged, and a connection to it. */
  private final class Served implements AutoCloseable {
    final StringWriter log = new StringWriter();
    final PacketServer server;
    final PacketConnection connection;

    Served(Replies table) throws IOException {
      server = ServeCommand.start(Endpoint.loopback(0), table, new PrintWriter(log, true));
      connection = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    }

    Response call(long channel, long type, long flags, byte[] payload) throws Exception {
      return connection.call(channel, type, flags, payload, WAIT);
    }

    Response call(long type, long flags, String text) throws Exception {
      return call(0, type, flags, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
      connection.close();
      server.close();
    }
  }

  private Replies table(String... lines) throws IOException {
    Path file = dir.resolve("replies.txt");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return Replies.read(file);
  }

  @Test
  void withoutAFileEchoesEveryRequest() throws Exception {
    try (Served served = new Served(Replies.echo())) {
      assertThat(served.call(7, 9, "héllo"))
          .isEqualTo(Response.ok(9, "héllo".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(0, 0, 0, new byte[0])).isEqualTo(Response.ok(0, new byte[0]));

      assertThat(served.log.toString().lines())
          .containsExactly(
              "serve: channel=0 type=7 flags=9 size=6 -> ok flags=9 size=6 (echo)",
              "serve: channel=0 type=0 flags=0 size=0 -> ok flags=0 size=0 (echo)");
    }
  }

  @Test
  void answersCannedRepliesWithTheirFlagsAndPayloads() throws Exception {
    Files.write(dir.resolve("blob.bin"), new byte[] {0, 1, 2, (byte) 0xfe});
    Replies table =
        table(
            "# a price service",
            "1 -> ok flags=3 text \"pong\"",
            "  2 -> fail flags=4 hex 00ff 10   # three bytes",
            "3 -> ok file blob.bin",
            "4 -> ok text \"say \\\"hi\\\"\\n\\ttab\" flags=5",
            "5 -> fail echo",
            "6 -> ok flags=7 echo",
            "7 -> ok",
            "",
            "8 -> fail");
    try (Served served = new Served(table)) {
      assertThat(served.call(1, 0, "ping"))
          .isEqualTo(Response.ok(3, "pong".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(2, 9, "x"))
          .isEqualTo(Response.failure(4, new byte[] {0, (byte) 0xff, 0x10}));
      assertThat(served.call(3, 0, ""))
          .isEqualTo(Response.ok(0, new byte[] {0, 1, 2, (byte) 0xfe}));
      assertThat(served.call(4, 0, ""))
          .isEqualTo(Response.ok(5, "say \"hi\"\n\ttab".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(5, 6, "back"))
          .isEqualTo(Response.failure(6, "back".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(6, 6, "back"))
          .isEqualTo(Response.ok(7, "back".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(7, 6, "x")).isEqualTo(Response.ok(0, new byte[0]));
      assertThat(served.call(8, 6, "x")).isEqualTo(Response.failure(0, new byte[0]));

      assertThat(served.log.toString().lines())
          .startsWith(
              "serve: channel=0 type=1 flags=0 size=4 -> ok flags=3 size=4 (line 2)",
              "serve: channel=0 type=2 flags=9 size=1 -> fail flags=4 size=3 (line 3)");
    }
  }

  @Test
  void theDefaultRuleAnswersTypesWithoutARuleOfTheirOwn() throws Exception {
    Replies table = table("* -> fail flags=2 text \"no such item\"", "1 -> ok text \"found\"");
    try (Served served = new Served(table)) {
      assertThat(served.call(42, 0, "x"))
          .isEqualTo(Response.failure(2, "no such item".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(1, 0, "x"))
          .isEqualTo(Response.ok(0, "found".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void typesWithoutARuleOrDefaultGetTheOriginalsRefusalAndChannelsWithoutRulesTheLibrarys()
      throws Exception {
    Replies table = table("1 -> ok text \"one\"", "* channel=3 -> ok flags=1 echo");
    try (Served served = new Served(table)) {
      assertThat(served.call(2, 0, "x")).isEqualTo(Response.failure());
      assertThat(served.call(3, 1, 0, "x".getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(Response.ok(1, "x".getBytes(StandardCharsets.UTF_8)));
      assertThat(served.call(4, 1, 0, new byte[0]))
          .isEqualTo(Response.failure("unknown channel %d"));
      assertThat(served.log.toString().lines())
          .first()
          .isEqualTo("serve: channel=0 type=2 flags=0 size=1 -> fail flags=0 size=24 (no rule)");
    }
  }

  @Test
  void echoedFlagsThatDoNotFitAResponseAreRefused() throws Exception {
    try (Served served = new Served(Replies.echo())) {
      long tooBig = Packet.MAX_RESULT_FLAGS + 1;
      Response answer = served.call(0, 1, tooBig, new byte[0]);

      assertThat(answer.ok()).isFalse();
      assertThat(answer.text()).isEqualTo("echo: flags " + tooBig + " do not fit a response");
    }
  }

  static Stream<Arguments> wrongLines() {
    return Stream.of(
        arguments("1 -> okay", "1:6: expected ok or fail but found 'okay'"),
        arguments("x -> ok", "1:1: expected a request type or * but found 'x'"),
        arguments("-3 -> ok", "1:1: expected a request type or * but found -3"),
        arguments("1 => ok", "1:3: expected -> but found '=>'"),
        arguments("1", "1:2: expected channel=N or -> but the line ends"),
        arguments("1 channel=z -> ok", "1:3: expected a channel number but found 'z'"),
        arguments("1 -> ok text pong", "1:14: text needs a double-quoted string"),
        arguments("1 -> ok text \"pong", "1:14: the string has no closing quote"),
        arguments(
            "1 -> ok text \"a\\qb\"", "1:16: unknown escape \\q (known: \\\" \\\\ \\n \\r \\t)"),
        arguments("1 -> ok hex 0g", "1:14: 'g' is not a hex digit"),
        arguments("1 -> ok hex 0 0f", "1:9: hex needs an even number of digits, found 3"),
        arguments("1 -> ok echo text \"x\"", "1:14: a rule has one payload; found 'text' after it"),
        arguments("1 -> ok flags=1 flags=2", "1:17: flags given twice"),
        arguments(
            "1 -> ok flags=-1",
            "1:9: expected flags from 0 to " + Packet.MAX_RESULT_FLAGS + " but found -1"),
        arguments("1 -> ok file missing.bin", "1:14: cannot read "),
        arguments(
            "1 -> ok please",
            "1:9: expected flags=N, delay=MS, echo, text, hex or file but found 'please'"),
        arguments(
            "1 -> ok delay=soon",
            "1:9: expected a delay from 0 to 60000 milliseconds but found 'soon'"),
        arguments(
            "1 -> ok delay=60001",
            "1:9: expected a delay from 0 to 60000 milliseconds but found 60001"),
        arguments("1 -> ok delay=1 echo delay=2", "1:22: delay given twice"));
  }

  @ParameterizedTest
  @MethodSource("wrongLines")
  void aWrongLineIsAnErrorNamingItsLineAndColumn(String line, String message) throws IOException {
    Path file = dir.resolve("bad.txt");
    Files.writeString(file, line + "\n");

    assertThatThrownBy(() -> Replies.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ":" + message);
  }

  @Test
  void aSecondRuleForOneTypeNamesBothLines() throws IOException {
    Path file = dir.resolve("twice.txt");
    Files.writeString(file, "# twice\n7 -> ok\n  * -> ok echo\n  7 -> fail\n");

    assertThatThrownBy(() -> Replies.read(file))
        .hasMessage(file + ":4:3: type 7 on channel 0 already has a rule, on line 2");
  }

  @Test
  void aBadFileIsAUsageErrorBeforeTheServerListens() throws IOException {
    Path file = dir.resolve("bad.txt");
    Files.writeString(file, "1 -> ok\n\n2 -> maybe\n");

    CommandRun run = CommandRun.of("serve", "--port", "0", "--replies", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "serve: "
                + file
                + ":3:6: expected ok or fail but found 'maybe'"
                + System.lineSeparator());

    CommandRun missing =
        CommandRun.of("serve", "--port", "0", "--replies", dir.resolve("none.txt").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).startsWith("serve: cannot read the replies file ");
  }

  @Test
  void aFileThatIsNotUtf8IsRefused() throws IOException {
    Path file = dir.resolve("latin1.txt");
    Files.write(file, "1 -> ok text \"caf\u00e9\"\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> Replies.read(file)).hasMessage(file + ": not UTF-8 text");
  }

  @Test
  void aPortInUseIsOneLineOnStderrAndExitStatusOne() throws Exception {
    try (Served taken = new Served(Replies.echo())) {
      String port = Integer.toString(taken.server.port());

      CommandRun run = CommandRun.of("serve", "--port", port);

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).startsWith("serve: java.net.BindException").hasLineCount(1);
    }
  }

  @Test
  void callAgainstServePrintsTheCannedAnswers() throws Exception {
    Replies table =
        table("1 -> ok flags=3 text \"pong\"", "2 -> fail flags=4 hex 00ff10", "* -> ok echo");
    try (Served served = new Served(table)) {
      String port = Integer.toString(served.server.port());

      CommandRun pong = CommandRun.of("call", "--port", port, "--type", "1", "--text", "ping");
      assertThat(pong.out().lines()).containsExactly("ok: true", "flags: 3", "payload: pong");
      assertThat(pong.exitCode()).isZero();

      CommandRun fail = CommandRun.of("call", "--port", port, "--type", "2", "--text", "x");
      assertThat(fail.out().lines())
          .containsExactly("ok: false", "flags: 4", "payload (hex): 00ff10");
      assertThat(fail.exitCode()).isEqualTo(CallCommand.NOT_OK);

      CommandRun echo =
          CommandRun.of("call", "--port", port, "--type", "9", "--flags", "5", "--text", "héllo");
      assertThat(echo.out().lines()).containsExactly("ok: true", "flags: 5", "payload: héllo");
    }
  }

  @Test
  void theDocumentedRepliesFileIsValidAndShownVerbatimInTheGuide() throws IOException {
    Path example = Path.of("..", "docs", "serve-replies.txt");
    Replies table = Replies.read(example);

    assertThat(table.channels()).containsExactly(0L);
    assertThat(Files.readString(Path.of("..", "docs", "cli.md")))
        .as("docs/cli.md shows docs/serve-replies.txt as it is")
        .contains(Files.readString(example));
  }

  private static final Pattern LISTENING =
      Pattern.compile("^serve: listening on 127\\.0\\.0\\.1:(\\d+)$");

  @ParameterizedTest(name = "quiet={0}")
  @ValueSource(booleans = {false, true})
  void asAProcessItPrintsItsPortLogsRequestsUnlessQuietAndEndsCleanlyOnSigterm(boolean quiet)
      throws Exception {
    Path file = dir.resolve("replies.txt");
    Files.writeString(file, "1 -> ok flags=3 text \"pong\"\n");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PacketstreamCommand.class.getName(),
                "serve",
                "--port",
                "0",
                "--replies",
                file.toString()));
    if (quiet) {
      command.add("--quiet");
    }
    Path errFile = dir.resolve("serve.err");
    Process server = new ProcessBuilder(command).redirectError(errFile.toFile()).start();
    try {
      BufferedReader out = reader(server.getInputStream());
      String first = readLine(out);
      Matcher m = LISTENING.matcher(String.valueOf(first));
      assertThat(m.matches()).as("first line on stdout: %s", first).isTrue();
      int port = Integer.parseInt(m.group(1));

      PacketConnection connection =
          PacketClient.connect("127.0.0.1", port, PacketConnection.builder());
      assertThat(connection.call(0, 1, 0, "ping".getBytes(StandardCharsets.UTF_8), WAIT))
          .isEqualTo(Response.ok(3, "pong".getBytes(StandardCharsets.UTF_8)));

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(server.exitValue()).as("exit status after SIGTERM").isZero();
      assertThat(connection.join(Duration.ofSeconds(10))).as("the server's side ended").isTrue();
      connection.close();
      assertThat(connection.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(connection.failure()).isEmpty();
      List<String> err = Files.readAllLines(errFile);
      String logged = "serve: channel=0 type=1 flags=0 size=4 -> ok flags=3 size=4 (line 1)";
      if (quiet) {
        assertThat(err).doesNotContain(logged);
      } else {
        assertThat(err).contains(logged);
      }
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void onStopARunningSlowRequestStillGetsItsAnswerThenTheCommandReturnsZero() throws Exception {
    Path file = dir.resolve("replies.txt");
    Files.writeString(file, "1 -> ok delay=3000 text \"slow\"\n2 -> ok text \"quick\"\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = PacketstreamCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> cli.execute("serve", "--port", "0", "--replies", file.toString()),
            r -> new Thread(r, "serve command").start());
    try {
      PacketServer server = await("the server listens", () -> serve.server);
      PacketConnection connection =
          PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
      assertThat(connection.call(0, 2, 0, new byte[0], WAIT))
          .isEqualTo(Response.ok(0, "quick".getBytes(StandardCharsets.UTF_8)));

      CompletableFuture<Response> slow =
          connection.submit(1, 0, "ping".getBytes(StandardCharsets.UTF_8));
      await(
          "the slow request runs",
          () -> server.connections().stream().anyMatch(c -> c.runningRequests() > 0) ? 1 : null);
      assertThat(slow).as("unanswered when the stop comes").isNotDone();
      serve.stop(); // what SIGTERM does

      assertThat(slow.get(20, TimeUnit.SECONDS))
          .isEqualTo(Response.ok(0, "slow".getBytes(StandardCharsets.UTF_8)));
      assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
      assertThat(connection.join(Duration.ofSeconds(10))).as("the server's side ended").isTrue();
      connection.close();
      assertThat(connection.failure()).isEmpty();
      assertThat(out.toString())
          .isEqualTo("serve: listening on 127.0.0.1:" + server.port() + System.lineSeparator());
      assertThat(err.toString().lines())
          .containsExactly(
              "serve: channel=0 type=2 flags=0 size=0 -> ok flags=0 size=5 (line 2)",
              "serve: channel=0 type=1 flags=0 size=4 -> ok flags=0 size=4 (line 1)");
    } finally {
      serve.stop();
      exit.get(30, TimeUnit.SECONDS);
    }
  }

  /** Polls {@code value} until it is not null, for at most {@link #WAIT}. */
  private static <T> T await(String what, Supplier<T> value) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (T v = value.get(); ; v = value.get()) {
      if (v != null) {
        return v;
      }
      assertThat(System.nanoTime() - deadline).as("waiting until %s", what).isNegative();
      Thread.sleep(10);
    }
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private static String readLine(BufferedReader in) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return in.readLine();
              } catch (IOException e) {
                return null;
              }
            },
            r -> new Thread(r).start())
        .get(30, TimeUnit.SECONDS);
  }
}
