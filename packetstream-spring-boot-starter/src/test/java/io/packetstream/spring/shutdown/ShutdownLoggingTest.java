package io.packetstream.spring.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the library logs while the application shuts down on SIGTERM reaches the application's log.
 * The core logs through {@code System.Logger}; left to the JDK that goes through java.util.logging,
 * whose own shutdown hook resets it while Spring's hook is still draining, so a handler's failure
 * during the drain was logged nowhere. The starter routes {@code System.Logger} to SLF4J.
 */
@Timeout(120)
class ShutdownLoggingTest {

  @Test
  void aHandlerFailureDuringTheDrainIsLogged(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path log = dir.resolve("app.log");
    Process app =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ShutdownLoggingApp.class.getName(),
                "--packetstream.server.port=" + port,
                "--packetstream.server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--spring.main.web-application-type=none")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> read(log).contains("Started ShutdownLoggingApp") || !app.isAlive());
      assertThat(app.isAlive()).as(read(log)).isTrue();
      try (PacketConnection client =
          PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
        client.submit(57, 0, "x".getBytes(StandardCharsets.UTF_8));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> read(log).contains("late failure started"));

        app.destroy(); // SIGTERM

        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the application exits").isTrue();
      }
      assertThat(read(log))
          .as("the application's log")
          .contains("handler for request type 57 failed")
          .contains("late failure x");
    } finally {
      app.destroyForcibly();
    }
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
