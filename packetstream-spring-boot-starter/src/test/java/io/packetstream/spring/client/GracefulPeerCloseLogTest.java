package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A peer that closes gracefully, as one does in a rolling deploy, is logged at INFO by the client
 * that reconnects to it, not at WARN; a connect that then fails is still a WARN, once. A client
 * context against a core server on 127.0.0.1.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class GracefulPeerCloseLogTest {

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class ClientApp {}

  @Test
  void aGracefulCloseByThePeerIsInfoAndTheFailedReconnectAfterItAWarning(CapturedOutput output)
      throws Exception {
    PacketServer peer =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok("here")))
            .name("peer")
            .bind(new InetSocketAddress("127.0.0.1", 0));
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ClientApp.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.main.banner-mode=off",
                "logging.level.io.packetstream.spring.client.PacketStreamClient=INFO",
                "packetstream.clients.rolling.host=127.0.0.1",
                "packetstream.clients.rolling.port=" + peer.port(),
                "packetstream.clients.rolling.reconnect.initial-delay=50ms",
                "packetstream.clients.rolling.reconnect.max-delay=200ms")
            .run()) {
      PacketStreamClient rolling = context.getBean(PacketClients.class).get("rolling");
      assertThat(rolling.awaitConnected(Duration.ofSeconds(20))).isTrue();
      // answered: the server has taken the connection, which a close that came before its
      // acceptor did would drop without a goodbye
      assertThat(rolling.call(1, 0, new byte[0]).ok()).isTrue();

      peer.close(); // ERQ, then EOF: a goodbye, not a failure

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(lines(output, "closed by its peer; reconnecting in 50ms"))
                      .singleElement()
                      .asString()
                      .contains(" INFO ")
                      .contains("packetstream client rolling: "));
      // nothing listens any more: the first failed connect is a warning, once
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(lines(output, "further failures are logged at DEBUG"))
                      .singleElement()
                      .asString()
                      .contains(" WARN ")
                      .contains("packetstream client rolling: "));
      assertThat(lines(output, "closed by its peer")).noneMatch(line -> line.contains(" WARN "));
    }
  }

  /**
   * A peer that dies after it served (killed, so the stream just ends: no ERQ, no EOF) has not
   * closed anything: the client warns that the stream ended without the peer's EOF.
   */
  @Test
  void aPeerThatDiesIsAWarningThatTheStreamEndedWithoutItsEof(CapturedOutput output)
      throws Exception {
    TestPeer peer = new TestPeer("doomed");
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ClientApp.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.main.banner-mode=off",
                "logging.level.io.packetstream.spring.client.PacketStreamClient=INFO",
                "packetstream.clients.rolling.host=127.0.0.1",
                "packetstream.clients.rolling.port=" + peer.port(),
                "packetstream.clients.rolling.reconnect.initial-delay=50ms",
                "packetstream.clients.rolling.reconnect.max-delay=200ms")
            .run()) {
      PacketStreamClient rolling = context.getBean(PacketClients.class).get("rolling");
      assertThat(rolling.awaitConnected(Duration.ofSeconds(20))).isTrue();
      assertThat(rolling.call(1, 0, new byte[0]).ok()).isTrue();

      peer.kill();

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(lines(output, "the stream ended without the peer's EOF"))
                      .singleElement()
                      .asString()
                      .contains(" WARN ")
                      .contains("retrying in 50ms"));
      assertThat(lines(output, "closed by its peer")).isEmpty();
    } finally {
      peer.close();
    }
  }

  /** The lines of this test's client that contain {@code text}: other contexts may log too. */
  private static List<String> lines(CapturedOutput output, String text) {
    return output
        .getOut()
        .lines()
        .filter(line -> line.contains("packetstream client rolling: ") && line.contains(text))
        .toList();
  }
}
