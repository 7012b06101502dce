package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code call} run as the tool is run, in a process of its own: a peer that breaks the protocol
 * ends it with exit status 2 and one line on stderr, as CONFORMANCE.md asks. The library's own log
 * of the peer's fault used to add two lines of java.util.logging output before it.
 */
@Timeout(60)
class CallProcessTest {

  @Test
  void aPeerSendingGarbageGivesOneLineOnStderr() throws Exception {
    ScriptedServer.Script garbage =
        peer -> {
          peer.receive();
          byte[] junk = new byte[12];
          Arrays.fill(junk, (byte) 0xff);
          peer.socket.getOutputStream().write(junk);
          peer.socket.getOutputStream().flush();
          while (peer.receive() != null) {
            // until the tool hangs up
          }
        };
    try (ScriptedServer server = new ScriptedServer(garbage)) {
      Process call =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  PacketstreamCommand.class.getName(),
                  "call",
                  "--port",
                  server.portText(),
                  "--type",
                  "1",
                  "--text",
                  "x")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        String err = new String(call.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(call.waitFor(30, TimeUnit.SECONDS)).isTrue();

        List<String> lines = err.lines().toList();
        assertThat(lines).as(err).hasSize(1);
        assertThat(lines.get(0)).startsWith("call: ");
        assertThat(call.exitValue()).isEqualTo(CallCommand.NO_ANSWER);
      } finally {
        call.destroyForcibly();
      }
    }
  }
}
