package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class CallCommandTest {

  private static PacketServer server;
  private static String port;

  @BeforeAll
  static void startServer() throws Exception {
    server = ConformanceServerCommand.start(Endpoint.loopback(0));
    port = Integer.toString(server.port());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void printsATextAnswer() {
    CommandRun run =
        CommandRun.of("call", "--port", port, "--type", "1", "--flags", "9", "--text", "héllo");

    assertThat(run.out().lines()).containsExactly("ok: true", "flags: 9", "payload: héllo");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void printsBytesThatAreNotUtf8AsHex(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("payload");
    Files.write(file, new byte[] {1, (byte) 0xff, 0x41});

    CommandRun run =
        CommandRun.of("call", "--port", port, "--type", "0", "--file", file.toString());

    assertThat(run.out().lines()).containsExactly("ok: true", "flags: 17", "payload (hex): 41ff01");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void notOkAnswerExitsNonZero() {
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "2", "--text", "x");

    assertThat(run.out().lines())
        .containsExactly("ok: false", "flags: 0", "payload: exception during handler");
    assertThat(run.exitCode()).isEqualTo(CallCommand.NOT_OK);
  }

  @Test
  void emptyPayloadAndFlagsOnlyAnswer() {
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "6", "--text", "");

    assertThat(run.out().lines()).containsExactly("ok: true", "flags: 42", "payload: ");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void unreachablePeerIsAClearErrorWithNonZeroExit() throws Exception {
    int closed;
    try (PacketServer gone = RrServers.start()) {
      closed = gone.port();
    }
    CommandRun run =
        CommandRun.of("call", "--port", Integer.toString(closed), "--type", "0", "--text", "x");

    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("call: cannot connect to 127.0.0.1:" + closed);
    assertThat(run.exitCode()).isEqualTo(CallCommand.NO_ANSWER);
  }

  @Test
  void anUnknownHostIsSaidOnceInWords() {
    // it said "cannot connect to no-such-host.invalid:9: no-such-host.invalid"
    CommandRun run =
        CommandRun.of(
            "call", "--host", "no-such-host.invalid", "--port", "9", "--type", "0", "--text", "x");

    assertThat(run.err())
        .isEqualTo(
            "call: cannot connect to no-such-host.invalid:9: no such host"
                + System.lineSeparator());
    assertThat(run.exitCode()).isEqualTo(CallCommand.NO_ANSWER);
  }

  @Test
  void aPayloadWhoseFrameIsOverTheLimitIsNamedByThePeer() throws Exception {
    // a file just under the limit passes the read, and its frame is refused by the library, which
    // names the connection; the connection was named "call", so it printed "call: call: ..."
    Path file = Files.createTempFile("payload", ".bin");
    try {
      Files.write(file, new byte[(16 << 20) - 2]);
      CommandRun run =
          CommandRun.of("call", "--port", port, "--type", "0", "--file", file.toString());

      assertThat(run.err())
          .startsWith("call: 127.0.0.1:" + port + ": a request of ")
          .contains("is over the limit");
      assertThat(run.exitCode()).isEqualTo(2);
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void payloadSourcesAreExclusive() {
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "0", "--text", "a", "--stdin");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("mutually exclusive");
  }

  @Test
  void stdinIsThePayload() {
    InputStream stdin = System.in;
    System.setIn(new ByteArrayInputStream("from stdin".getBytes(StandardCharsets.UTF_8)));
    CommandRun run;
    try {
      run = CommandRun.of("call", "--port", port, "--type", "0", "--stdin");
    } finally {
      System.setIn(stdin);
    }

    assertThat(run.out().lines())
        .as(run.err())
        .containsExactly("ok: true", "flags: 17", "payload: nidts morf");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void anEndlessStdinIsReadOnlyAsFarAsTheFrameLimit() {
    // `yes | packetstream call --stdin` ran out of heap: all of stdin was read before any check
    long[] read = new long[1];
    long plenty = 64L << 20;
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (read[0] >= plenty) {
              return -1;
            }
            int n = (int) Math.min(len, plenty - read[0]);
            java.util.Arrays.fill(b, off, off + n, (byte) 'y');
            read[0] += n;
            return n;
          }
        };
    InputStream stdin = System.in;
    System.setIn(endless);
    CommandRun run;
    try {
      run = CommandRun.of("call", "--port", port, "--type", "1", "--stdin");
    } finally {
      System.setIn(stdin);
    }

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("call: ").contains("16777216");
    assertThat(read[0]).as("bytes read from stdin").isLessThanOrEqualTo((16L << 20) + (1 << 16));
  }

  @Test
  void aPeerThatNeverAnswersIsAClearErrorAfterTheTimeout() throws Exception {
    ScriptedServer.Script silent =
        peer -> {
          while (peer.receive() != null) {
            // read everything, answer nothing
          }
        };
    try (ScriptedServer silentServer = new ScriptedServer(silent)) {
      CommandRun run =
          CommandRun.of(
              "call",
              "--port",
              silentServer.portText(),
              "--type",
              "0",
              "--text",
              "x",
              "--timeout-seconds",
              "1");

      assertThat(run.out()).isEmpty();
      assertThat(run.err()).isEqualTo("call: no answer within 1 s" + System.lineSeparator());
      assertThat(run.exitCode()).isEqualTo(CallCommand.NO_ANSWER);
    }
  }

  @Test
  void timeoutBelowOneSecondIsAUsageError() {
    for (String seconds : new String[] {"0", "-3"}) {
      CommandRun run =
          CommandRun.of(
              "call", "--port", port, "--type", "1", "--text", "x", "--timeout-seconds", seconds);

      assertThat(run.out()).isEmpty();
      assertThat(run.err())
          .isEqualTo("call: --timeout-seconds " + seconds + " is below 1" + System.lineSeparator());
      assertThat(run.exitCode()).isEqualTo(2);
    }
  }

  /** A value picocli itself refuses is one line too, as cli.md says; it printed the usage. */
  @Test
  void anOptionPicocliRefusesIsOneLine() {
    String[][] bad = {
      {"call", "--port", port, "--type", "abc", "--text", "x"},
      {"call", "--port", port, "--type", "1", "--text", "x", "--channel", "5"},
      {"call", "--port", port, "--text", "x"},
    };
    for (String[] args : bad) {
      CommandRun run = CommandRun.of(args);

      assertThat(run.out()).isEmpty();
      assertThat(run.err().lines())
          .singleElement()
          .asString()
          .startsWith("call: ")
          .endsWith("('packetstream call --help' lists the options)");
      assertThat(run.exitCode()).isEqualTo(2);
    }
  }

  @Test
  void controlCharactersPrintAsHex() {
    // valid UTF-8, but BEL, ESC and the C1 control U+0085 would not print as themselves
    for (String text : new String[] {"a\u0007b", "\u001b[2J", "x\u0085"}) {
      CommandRun run = CommandRun.of("call", "--port", port, "--type", "1", "--text", text);

      assertThat(run.out().lines())
          .containsExactly(
              "ok: true",
              "flags: 0",
              "payload (hex): "
                  + java.util.HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void tabAndLineBreaksStayText() {
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "1", "--text", "a\tb\r\nc");

    assertThat(run.out())
        .isEqualTo(
            String.join(System.lineSeparator(), "ok: true", "flags: 0", "payload: a\tb\r\nc")
                + System.lineSeparator());
  }

  @Test
  void holdKeepsTheConnectionOpenAfterTheAnswerThenClosesIt() throws Exception {
    AtomicReference<PacketConnection> serverSide = new AtomicReference<>();
    PacketConnection.Builder echo =
        PacketConnection.builder()
            .handler(
                request -> {
                  serverSide.set(request.connection());
                  return Response.ok(request.payload());
                });
    try (PacketServer echoServer = PacketServer.builder(echo).bindLoopback(0)) {
      CountDownLatch printed = new CountDownLatch(1);
      StringWriter text = new StringWriter();
      Writer out =
          new Writer() {
            @Override
            public synchronized void write(char[] chars, int offset, int length) {
              text.write(chars, offset, length);
              if (text.toString().contains("payload: held")) {
                printed.countDown();
              }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          };
      CommandLine cli = PacketstreamCommand.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(new StringWriter(), true));
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () ->
                  cli.execute(
                      "call",
                      "--port",
                      Integer.toString(echoServer.port()),
                      "--type",
                      "0",
                      "--text",
                      "held",
                      "--hold-seconds",
                      "3"),
              r -> new Thread(r).start());

      assertThat(printed.await(30, TimeUnit.SECONDS)).as("the answer was printed").isTrue();
      PacketConnection held = serverSide.get();
      assertThat(held.state())
          .as("the server's side after the answer")
          .isEqualTo(ConnectionState.OPEN);
      assertThat(exit).isNotDone();

      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
      held.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(held.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(held.failure()).isEmpty();
      assertThat(text.toString().lines()).containsExactly("ok: true", "flags: 0", "payload: held");
    }
  }

  @Test
  void negativeHoldIsAUsageError() {
    CommandRun run =
        CommandRun.of("call", "--port", port, "--type", "1", "--text", "x", "--hold-seconds", "-1");

    assertThat(run.err()).isEqualTo("call: --hold-seconds -1 is negative" + System.lineSeparator());
    assertThat(run.exitCode()).isEqualTo(2);
  }
}
