package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.transport.PacketServer;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ConformanceTest {

  @Test
  void clientPassesEveryScenarioAgainstTheServer() throws Exception {
    try (PacketServer server = ConformanceServerCommand.start(Endpoint.loopback(0))) {
      CommandRun run = CommandRun.of("conformance-client", "--port", Integer.toString(server.port()));

      List<String> lines = run.out().lines().collect(Collectors.toList());
      List<String> expected = Scenarios.all().stream().map(s -> "PASS " + s.name())
          .collect(Collectors.toList());
      expected.add(expected.size() + " passed, 0 failed");
      assertThat(lines).as(run.err()).containsExactlyElementsOf(expected);
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void clientRunsOneScenarioByName() throws Exception {
    try (PacketServer server = ConformanceServerCommand.start(Endpoint.loopback(0))) {
      CommandRun run = CommandRun.of("conformance-client", "--port", Integer.toString(server.port()),
          "--scenario", "out-of-order", "--grace-ms", "1");

      assertThat(run.out().lines()).containsExactly("PASS out-of-order", "1 passed, 0 failed");
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void scenariosFailAgainstAServerThatOnlyReverses() throws Exception {
    try (PacketServer server = RrServerCommand.start(Endpoint.loopback(0))) {
      CommandRun run = CommandRun.of("conformance-client", "--port", Integer.toString(server.port()));

      List<String> lines = run.out().lines().collect(Collectors.toList());
      assertThat(lines).contains("PASS reverse");
      assertThat(lines).anyMatch(l -> l.startsWith("FAIL echo: echo: expected ok"));
      assertThat(lines).anyMatch(l -> l.startsWith("FAIL callback: "));
      assertThat(lines.get(lines.size() - 1)).matches("\\d+ passed, [1-9]\\d* failed");
      assertThat(run.exitCode()).isNotZero();
    }
  }

  @Test
  void everyScenarioFailsWhenNothingListens() throws Exception {
    int port;
    try (PacketServer server = RrServerCommand.start(Endpoint.loopback(0))) {
      port = server.port();
    }
    CommandRun run = CommandRun.of("conformance-client", "--port", Integer.toString(port),
        "--scenario", "echo");

    assertThat(run.out().lines()).first().asString().startsWith("FAIL echo: cannot connect");
    assertThat(run.exitCode()).isNotZero();
  }

  @Test
  void unknownScenarioIsAUsageError() {
    CommandRun run = CommandRun.of("conformance-client", "--port", "1", "--scenario", "nope");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown scenario 'nope'");
  }
}
