package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.StartupFailures.Analyzed;
import io.packetstream.spring.handler.PacketHandler;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The failure-analysis box of a {@code packetstream.*} value the starter refuses has an Action that
 * names the property and says what to set, rule by rule, rather than Boot's generic "review the
 * value"; its Description stays Boot's (the value, the property, the rule). Each case starts a real
 * application that fails.
 */
@Timeout(120)
class ConfigurationErrorActionTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Echo.class)
  static class App {}

  static class Echo {
    @PacketHandler(1)
    String echo(String s) {
      return s;
    }
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            new String[] {"packetstream.server.port=0", "packetstream.request-timeout=-1s"},
            "packetstream.request-timeout",
            "Set packetstream.request-timeout to how long a request waits for its answer, such as"
                + " 10s, or to 0 to wait without limit (the default)."),
        Arguments.of(
            new String[] {
              "packetstream.clients.billing.port=5",
              "packetstream.clients.billing.request-timeout=-2s"
            },
            "packetstream.clients.billing.request-timeout",
            "Set packetstream.clients.billing.request-timeout to how long this client's typed"
                + " calls and exchanges wait for an answer, such as 5s, or to 0 (the default) to"
                + " leave it to packetstream.request-timeout."),
        Arguments.of(
            new String[] {
              "packetstream.clients.billing.port=5",
              "packetstream.clients.billing.reconnect.multiplier=0.5"
            },
            "packetstream.clients.billing.reconnect.multiplier",
            "Set packetstream.clients.billing.reconnect.multiplier to 1 or more: 2 (the default)"
                + " doubles the wait after each failed attempt, up to"
                + " packetstream.clients.billing.reconnect.max-delay; 1 waits"
                + " packetstream.clients.billing.reconnect.initial-delay every time."),
        Arguments.of(
            new String[] {
              "packetstream.clients.billing.port=5",
              "packetstream.clients.billing.reconnect.initial-delay=1s",
              "packetstream.clients.billing.reconnect.max-delay=500ms"
            },
            "packetstream.clients.billing.reconnect.max-delay",
            "Set packetstream.clients.billing.reconnect.max-delay to 1s"
                + " (packetstream.clients.billing.reconnect.initial-delay) or more, such as 30s"
                + " (the default); or lower packetstream.clients.billing.reconnect.initial-delay."),
        Arguments.of(
            new String[] {
              "packetstream.clients.billing.port=5", "packetstream.clients.billing.host=tcp://foo:1"
            },
            "packetstream.clients.billing.host",
            "Set packetstream.clients.billing.host=foo and packetstream.clients.billing.port=1."),
        Arguments.of(
            new String[] {
              "packetstream.server.port=0",
              "packetstream.server.unix-socket-path=/tmp/ps-action-test.sock"
            },
            "packetstream.server.unix-socket-path",
            "Remove packetstream.server.port to listen on the Unix domain socket"
                + " /tmp/ps-action-test.sock, or remove packetstream.server.unix-socket-path to"
                + " listen on the TCP port (packetstream.server.port)."),
        Arguments.of(
            new String[] {
              "packetstream.clients.billing.port=5",
              "packetstream.clients.billing.unix-socket-path=/tmp/peer.sock"
            },
            "packetstream.clients.billing.unix-socket-path",
            "Remove packetstream.clients.billing.port to connect on the Unix domain socket"
                + " /tmp/peer.sock, or remove packetstream.clients.billing.unix-socket-path to"
                + " connect on the TCP port of packetstream.clients.billing.host"
                + " (packetstream.clients.billing.port)."),
        Arguments.of(
            new String[] {
              "packetstream.server.port=0",
              "packetstream.server.address=127.0.0.1",
              "packetstream.server.ssl.bundle=nope"
            },
            "packetstream.server.ssl.bundle",
            "Define SSL bundle 'nope' under spring.ssl.bundle.pem.nope (PEM files) or"
                + " spring.ssl.bundle.jks.nope (a key store file), with a key store (the server's"
                + " certificate and private key); or set packetstream.server.ssl.bundle to a"
                + " bundle that is defined."),
        Arguments.of(
            new String[] {
              "packetstream.clients.billing.port=5", "packetstream.clients.billing.ssl.bundle=nope"
            },
            "packetstream.clients.billing.ssl.bundle",
            "Define SSL bundle 'nope' under spring.ssl.bundle.pem.nope (PEM files) or"
                + " spring.ssl.bundle.jks.nope (a key store file), with a trust store that trusts"
                + " the server's certificate; or set packetstream.clients.billing.ssl.bundle to a"
                + " bundle that is defined."));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("refusals")
  void theActionNamesThePropertyAndWhatToSet(String[] properties, String property, String action) {
    Analyzed a = StartupFailures.run(App.class, properties);

    assertThat(a.analysis()).as("an analysis of %s", a).isNotNull();
    assertThat(a.analysis().getDescription())
        .as("the description")
        .startsWith("Invalid value '")
        .contains("for configuration property '" + property + "'")
        .contains("Validation failed for the following reason:");
    assertThat(a.analysis().getAction()).isEqualTo(action);
  }
}
