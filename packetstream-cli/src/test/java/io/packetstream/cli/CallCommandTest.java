package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.transport.PacketServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "1", "--flags", "9",
        "--text", "héllo");

    assertThat(run.out().lines()).containsExactly("ok: true", "flags: 9", "payload: héllo");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void printsBytesThatAreNotUtf8AsHex(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("payload");
    Files.write(file, new byte[] {1, (byte) 0xff, 0x41});

    CommandRun run = CommandRun.of("call", "--port", port, "--type", "0", "--file", file.toString());

    assertThat(run.out().lines()).containsExactly("ok: true", "flags: 17", "payload (hex): 41ff01");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void notOkAnswerExitsNonZero() {
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "2", "--text", "x");

    assertThat(run.out().lines()).containsExactly("ok: false", "flags: 0",
        "payload: exception during handler");
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
    try (PacketServer gone = RrServerCommand.start(Endpoint.loopback(0))) {
      closed = gone.port();
    }
    CommandRun run = CommandRun.of("call", "--port", Integer.toString(closed), "--type", "0",
        "--text", "x");

    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("call: cannot connect to 127.0.0.1:" + closed);
    assertThat(run.exitCode()).isEqualTo(CallCommand.NO_ANSWER);
  }

  @Test
  void payloadSourcesAreExclusive() {
    CommandRun run = CommandRun.of("call", "--port", port, "--type", "0", "--text", "a", "--stdin");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("mutually exclusive");
  }
}
