package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server commands as their own process: they serve until SIGTERM, then end every connection
 * cleanly.
 */
@Timeout(60)
class ServerProcessTest {

  private static final Pattern LISTENING = Pattern.compile("listening on .*:(\\d+)$");

  @Test
  void conformanceServerEndsItsConnectionsCleanlyOnSigterm() throws Exception {
    Process server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PacketstreamCommand.class.getName(),
                "conformance-server",
                "--port",
                "0")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader err =
          new BufferedReader(
              new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
      String first =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return err.readLine();
                    } catch (java.io.IOException e) {
                      return null;
                    }
                  },
                  r -> new Thread(r).start())
              .get(30, TimeUnit.SECONDS);
      Matcher m = LISTENING.matcher(String.valueOf(first));
      assertThat(m.find()).as("first line on stderr: %s", first).isTrue();
      int port = Integer.parseInt(m.group(1));

      PacketConnection connection =
          PacketClient.connect("127.0.0.1", port, PacketConnection.builder());
      Response r =
          connection.call(0, ConformanceHandler.ECHO, 3, new byte[] {1, 2}, Duration.ofSeconds(10));
      assertThat(r).isEqualTo(Response.ok(3, new byte[] {1, 2}));

      server.destroy(); // SIGTERM

      assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(connection.join(Duration.ofSeconds(10))).as("the server's side ended").isTrue();
      connection.close();
      assertThat(connection.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(connection.failure()).isEmpty();
    } finally {
      server.destroyForcibly();
    }
  }
}
