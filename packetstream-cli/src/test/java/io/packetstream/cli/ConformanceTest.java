package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class ConformanceTest {

  @Test
  void clientPassesEveryScenarioAgainstTheServer() throws Exception {
    try (PacketServer server = ConformanceServerCommand.start(Endpoint.loopback(0))) {
      CommandRun run =
          CommandRun.of("conformance-client", "--port", Integer.toString(server.port()));

      List<String> lines = run.out().lines().collect(Collectors.toList());
      List<String> expected =
          Scenarios.all().stream().map(s -> "PASS " + s.name()).collect(Collectors.toList());
      expected.add(expected.size() + " passed, 0 failed");
      assertThat(lines).as(run.err()).containsExactlyElementsOf(expected);
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void clientRunsOneScenarioByName() throws Exception {
    try (PacketServer server = ConformanceServerCommand.start(Endpoint.loopback(0))) {
      CommandRun run =
          CommandRun.of(
              "conformance-client",
              "--port",
              Integer.toString(server.port()),
              "--scenario",
              "out-of-order",
              "--grace-ms",
              "1");

      assertThat(run.out().lines()).containsExactly("PASS out-of-order", "1 passed, 0 failed");
      assertThat(run.exitCode()).isZero();
    }
  }

  @Test
  void scenariosFailAgainstAServerThatOnlyReverses() throws Exception {
    try (PacketServer server = RrServers.start()) {
      CommandRun run =
          CommandRun.of("conformance-client", "--port", Integer.toString(server.port()));

      List<String> lines = run.out().lines().collect(Collectors.toList());
      assertThat(lines).contains("PASS reverse");
      assertThat(lines).anyMatch(l -> l.startsWith("FAIL echo: echo: expected ok"));
      assertThat(lines).anyMatch(l -> l.startsWith("FAIL callback: "));
      assertThat(lines.get(lines.size() - 1)).matches("\\d+ passed, [1-9]\\d* failed");
      assertThat(run.exitCode()).isNotZero();
    }
  }

  /**
   * The conformance service, except that {@code big} and {@code callback}, whose flags
   * CONFORMANCE.md leaves open, answer with flags of their own.
   */
  private static PacketServer serverWithFlagsOfItsOwn() throws Exception {
    ConformanceHandler table = new ConformanceHandler();
    PacketConnection.Builder flagged =
        PacketConnection.builder()
            .maxQueuedRequests(8192)
            .handler(
                request -> {
                  if (request.rqType() == ConformanceHandler.BIG) {
                    int n =
                        Integer.parseInt(new String(request.payload(), StandardCharsets.US_ASCII));
                    return Response.ok(5, ConformanceHandler.big(n));
                  }
                  if (request.rqType() == ConformanceHandler.CALLBACK) {
                    return Reply.later(
                        request
                            .connection()
                            .submit(
                                0,
                                ConformanceHandler.ECHO,
                                request.flags(),
                                request.payload(),
                                Duration.ofSeconds(30))
                            .thenApply(echoed -> Response.ok(9, echoed.payload())));
                  }
                  return table.handle(request);
                });
    return PacketServer.builder(flagged).bindLoopback(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"big", "callback", "concurrent-callbacks", "pipelined-2000"})
  void scenariosAcceptAnyFlagsWhereTheContractGivesNone(String scenario) throws Exception {
    try (PacketServer server = serverWithFlagsOfItsOwn()) {
      CommandRun run =
          CommandRun.of(
              "conformance-client",
              "--port",
              Integer.toString(server.port()),
              "--scenario",
              scenario);

      assertThat(run.out().lines())
          .as(run.err())
          .containsExactly("PASS " + scenario, "1 passed, 0 failed");
      assertThat(run.exitCode()).isZero();
    }
  }

  private static int portNothingListensOn() throws Exception {
    try (PacketServer server = RrServers.start()) {
      return server.port();
    }
  }

  @Test
  void echoFailsWhenNothingListens() throws Exception {
    int port = portNothingListensOn();
    CommandRun run =
        CommandRun.of("conformance-client", "--port", Integer.toString(port), "--scenario", "echo");

    assertThat(run.out().lines()).first().asString().startsWith("FAIL echo: cannot connect");
    assertThat(run.exitCode()).isNotZero();
  }

  @Test
  void everyScenarioFailsWhenNothingListens() throws Exception {
    int port = portNothingListensOn();
    CommandRun run = CommandRun.of("conformance-client", "--port", Integer.toString(port));

    List<String> lines = run.out().lines().collect(Collectors.toList());
    List<Scenario> all = Scenarios.all();
    assertThat(lines).hasSize(all.size() + 1);
    for (int i = 0; i < all.size(); i++) {
      assertThat(lines.get(i))
          .startsWith("FAIL " + all.get(i).name() + ": cannot connect to 127.0.0.1:" + port);
    }
    assertThat(lines.get(all.size())).isEqualTo("0 passed, " + all.size() + " failed");
    assertThat(run.exitCode()).isNotZero();
  }

  @Test
  void unknownScenarioIsAUsageError() {
    CommandRun run = CommandRun.of("conformance-client", "--port", "1", "--scenario", "nope");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown scenario 'nope'");
  }
}
