package io.packetstream.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first example of docs/core.md and of the README: run here with what a reader expects of it
 * checked, and compared line by line with both pages, so that neither page can drift from code that
 * compiles and works.
 */
class CoreGuideExampleTest {

  @Test
  @Timeout(30)
  void theGuidesEchoServerAnswersTheGuidesThreeRequests() throws Exception {
    // spotless:off
    // guide:start
    // a server on 127.0.0.1 (port 0: the system picks one); every accepted peer gets a connection
    PacketServer server = PacketServer.builder(PacketConnection.builder()
            .handler(request -> Response.ok(request.flags(), request.payload())))   // echo
        .bindLoopback(0);

    try (PacketConnection conn = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      Response r = conn.call(0, 0, "hello".getBytes(UTF_8));             // blocking: type 0, flags 0
      CompletableFuture<Response> f = conn.submit(0, 0, new byte[0]);     // asynchronous
      CompletableFuture<String> s = conn.submit(0, 0, new byte[0],        // with a decoder
          (flags, payload) -> new String(payload, UTF_8));
      // guide:pause

      assertThat(r.ok()).isTrue();
      assertThat(new String(r.payload(), UTF_8)).isEqualTo("hello");
      assertThat(f.get(10, TimeUnit.SECONDS).ok()).isTrue();
      assertThat(s.get(10, TimeUnit.SECONDS)).isEmpty();
      // guide:resume
    }
    server.close();   // stops accepting, closes every connection gracefully
    // guide:end
    // spotless:on
    assertThat(server.isListening()).isFalse();
  }

  @Test
  void bothPagesShowTheExampleThisTestRuns() throws IOException {
    List<String> example = exampleOfThisTest();
    assertThat(example).hasSizeGreaterThan(5);
    for (Path page : List.of(Path.of("../docs/core.md"), Path.of("../README.md"))) {
      assertThat(firstJavaBlockWithoutImports(page))
          .as("the first Java example of %s, against CoreGuideExampleTest's guide lines", page)
          .isEqualTo(example);
    }
  }

  /** The lines between guide:start and guide:end, less the paused ones, unindented. */
  private static List<String> exampleOfThisTest() throws IOException {
    List<String> lines =
        Files.readAllLines(
            Path.of("src/test/java/io/packetstream/transport/CoreGuideExampleTest.java"));
    List<String> example = new ArrayList<>();
    boolean in = false;
    boolean paused = false;
    int indent = -1;
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("// guide:")) {
        String mark = trimmed.substring("// guide:".length());
        in = !mark.equals("end") && (in || mark.equals("start"));
        paused = mark.equals("pause");
        continue;
      }
      if (in && !paused) {
        if (indent < 0) {
          indent = line.length() - line.stripLeading().length();
        }
        example.add(line.length() >= indent ? line.substring(indent) : line.strip());
      }
    }
    return example.stream().filter(l -> !l.isBlank()).toList();
  }

  private static List<String> firstJavaBlockWithoutImports(Path page) throws IOException {
    List<String> block = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(page)) {
      if (!in && line.equals("```java")) {
        in = true;
      } else if (in && line.equals("```")) {
        break;
      } else if (in && !line.isBlank() && !line.startsWith("import ")) {
        block.add(line);
      }
    }
    return block;
  }
}
