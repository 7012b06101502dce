package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.Packet;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The conformance client against services that are wrong on purpose: each must fail the scenario
 * that checks what it gets wrong, and within bounded time.
 */
@Timeout(60)
class WrongServersTest {

  /** How a scripted service ends its side after the client's EOF. */
  enum Ending {
    /** Sends EOF and closes: right. */
    SENDS_EOF,
    /** Sends nothing more and keeps the socket open until the client gives up. */
    STAYS_OPEN,
    /** Closes the socket without EOF. */
    CLOSES_WITHOUT_EOF
  }

  /**
   * Answers every request ok with flags 0 and its own payload, then ends as {@code ending} says.
   */
  private static ScriptedServer.Script echoThenEnd(Ending ending) {
    return peer -> {
      for (Packet p; (p = peer.receive()) != null; ) {
        if (!p.request()) {
          continue;
        }
        if (!p.isControl()) {
          peer.answer(p, 0, p.payload());
        } else if (p.isEof()) {
          if (ending == Ending.SENDS_EOF) {
            peer.send(Packet.EOF);
          }
          if (ending != Ending.STAYS_OPEN) {
            return;
          }
        }
      }
    };
  }

  @Test
  void cleanShutdownPassesWhenTheServiceSendsEof() throws Exception {
    try (ScriptedServer server = new ScriptedServer(echoThenEnd(Ending.SENDS_EOF))) {
      CommandRun run =
          CommandRun.of(
              "conformance-client", "--port", server.portText(), "--scenario", "clean-shutdown");

      assertThat(run.out().lines())
          .as(run.err())
          .containsExactly("PASS clean-shutdown", "1 passed, 0 failed");
      assertThat(run.exitCode()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Ending.class,
      names = {"STAYS_OPEN", "CLOSES_WITHOUT_EOF"})
  void cleanShutdownFailsWhenTheServiceNeverSendsEof(Ending ending) throws Exception {
    try (ScriptedServer server = new ScriptedServer(echoThenEnd(ending))) {
      CommandRun run =
          CommandRun.of(
              "conformance-client", "--port", server.portText(), "--scenario", "clean-shutdown");

      assertThat(run.out().lines())
          .as(run.err())
          .containsExactly(
              "FAIL clean-shutdown: the service never sent EOF (the connection ended without it)",
              "0 passed, 1 failed");
      assertThat(run.exitCode()).isNotZero();
    }
  }

  @Test
  void outOfOrderFailsWhenTheServiceAnswersDelaysInOrder() throws Exception {
    // each delay sleeps on the connection's reader thread: answers come in the order asked
    PacketConnection.Builder inOrder =
        PacketConnection.builder()
            .executor(Runnable::run)
            .handler(
                request -> {
                  Thread.sleep(
                      Long.parseLong(new String(request.payload(), StandardCharsets.US_ASCII)));
                  return Response.ok(request.payload());
                });
    try (PacketServer server = PacketServer.builder(inOrder).bindLoopback(0)) {
      CommandRun run =
          CommandRun.of(
              "conformance-client",
              "--port",
              Integer.toString(server.port()),
              "--scenario",
              "out-of-order");

      assertThat(run.out().lines())
          .as(run.err())
          .containsExactly(
              "FAIL out-of-order: expected delay 10 to complete before delay 300, got the order [300, 10]",
              "0 passed, 1 failed");
      assertThat(run.exitCode()).isNotZero();
    }
  }

  @Test
  void aServiceThatNeverAnswersFailsWithinTheRequestLimit() throws Exception {
    ScriptedServer.Script silent =
        peer -> {
          while (peer.receive() != null) {
            // read everything, answer nothing
          }
        };
    try (ScriptedServer server = new ScriptedServer(silent)) {
      CommandRun run =
          CommandRun.of(
              "conformance-client",
              "--port",
              server.portText(),
              "--scenario",
              "echo",
              "--request-timeout-ms",
              "500");

      assertThat(run.out().lines())
          .as(run.err())
          .containsExactly(
              "FAIL echo: a request got no answer within 500 ms", "0 passed, 1 failed");
      assertThat(run.exitCode()).isNotZero();
      assertThat(server.acceptedCount()).isEqualTo(1);
    }
  }

  @Test
  void requestTimeoutBelowOneMillisecondIsAUsageError() {
    CommandRun run =
        CommandRun.of("conformance-client", "--port", "1", "--request-timeout-ms", "0");

    assertThat(run.err())
        .isEqualTo(
            "conformance-client: --request-timeout-ms 0 is below 1" + System.lineSeparator());
    assertThat(run.exitCode()).isEqualTo(2);
  }
}
