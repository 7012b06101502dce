package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A peer that takes the TCP connection and closes it before sending anything, as a server over its
 * connection limit does, has not been reached: the client's back-off grows as after a refused
 * connect, and only the first of these failures is a warning. A client context against a raw socket
 * on 127.0.0.1.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class ReconnectBackoffTest {

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class ClientApp {}

  @Test
  void aPeerThatClosesBeforeSendingAnythingDoesNotResetTheBackoff(CapturedOutput output)
      throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket full = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      acceptAndDrop(full, n -> accepted.incrementAndGet());
      try (ConfigurableApplicationContext context =
          new SpringApplicationBuilder(ClientApp.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "spring.main.banner-mode=off",
                  "logging.level.io.packetstream.spring.client.PacketStreamClient=DEBUG",
                  "packetstream.clients.full.host=127.0.0.1",
                  "packetstream.clients.full.port=" + full.getLocalPort(),
                  "packetstream.clients.full.reconnect.initial-delay=50ms",
                  "packetstream.clients.full.reconnect.max-delay=400ms")
              .run()) {
        // 50, 100, 200, then the longest wait (at DEBUG, as repeated failures are): the back-off
        // grows although every connect succeeds
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> !lines(output, "retrying in 400ms").isEmpty());
        assertThat(accepted.get()).isGreaterThanOrEqualTo(4);
        assertThat(lines(output, "the stream ended without the peer's EOF, before the peer sent"))
            .isNotEmpty();
        // each accepted connect was logged at INFO as "connected", though it proved nothing
        assertThat(
                output
                    .getOut()
                    .lines()
                    .filter(line -> line.contains("packetstream client full connected: ")))
            .hasSizeGreaterThanOrEqualTo(4)
            .filteredOn(line -> line.contains(" INFO "))
            .hasSize(1);
        assertThat(lines(output, " WARN "))
            .singleElement()
            .asString()
            .contains("further failures are logged at DEBUG");
        assertThat(lines(output, " INFO ")).noneMatch(line -> line.contains("closed by its peer"));
      }
    }
  }

  /**
   * A hung peer whose kernel still accepts holds each connection until the client's own probe fails
   * it, which may take longer than the longest wait: such a connection did not serve, and only the
   * first of its failures is a warning.
   */
  @Test
  void aConnectionItsOwnProbeFailedDidNotServeHoweverLongItLasted(CapturedOutput output)
      throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      acceptAndDrop(
          hung,
          peer -> {
            accepted.incrementAndGet();
            // reads nothing, says nothing, until the client gives up on it
            peer.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
          });
      try (ConfigurableApplicationContext context =
          new SpringApplicationBuilder(ClientApp.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "spring.main.banner-mode=off",
                  "packetstream.clients.hung.host=127.0.0.1",
                  "packetstream.clients.hung.port=" + hung.getLocalPort(),
                  "packetstream.clients.hung.fail-fast=false",
                  "packetstream.clients.hung.probe-interval=200ms",
                  "packetstream.clients.hung.probe-timeout=200ms",
                  "packetstream.clients.hung.reconnect.initial-delay=50ms",
                  "packetstream.clients.hung.reconnect.max-delay=100ms")
              .run()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.get() >= 4);
        assertThat(lines(output, "hung", " WARN ")).hasSize(1);
      }
    }
  }

  /**
   * After connects that proved nothing (logged at DEBUG), the peer's first answer says at INFO that
   * the client is back: the last word of the log was the failure's WARN.
   */
  @Test
  void theFirstAnswerAfterFailedConnectsIsLoggedAsTheRecovery(CapturedOutput output)
      throws Exception {
    AtomicInteger connects = new AtomicInteger();
    PacketServer peer =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok("here")))
            .name("recovering")
            .admitting(() -> connects.incrementAndGet() > 3)
            .bind(new InetSocketAddress("127.0.0.1", 0));
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ClientApp.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.main.banner-mode=off",
                "packetstream.clients.back.host=127.0.0.1",
                "packetstream.clients.back.port=" + peer.port(),
                "packetstream.clients.back.fail-fast=false",
                "packetstream.clients.back.reconnect.initial-delay=50ms",
                "packetstream.clients.back.reconnect.max-delay=400ms")
            .run()) {
      PacketStreamClient back = context.getBean(PacketClients.class).get("back");
      await().atMost(Duration.ofSeconds(30)).until(() -> connects.get() > 3);
      assertThat(back.awaitConnected(Duration.ofSeconds(10))).isTrue();

      assertThat(back.call(1, 0, new byte[0]).ok()).isTrue();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  output
                      .getOut()
                      .lines()
                      .anyMatch(
                          line ->
                              line.contains(" INFO ")
                                  && line.contains("packetstream client back connected: ")
                                  && line.endsWith("(its peer answers again)")));
    } finally {
      peer.close();
    }
  }

  /**
   * An idle client's peer never speaks first: a connection that outlived the longest wait served,
   * though nothing came over it, and a peer that then dies is a new failure, a WARN again, not one
   * more repeat at DEBUG.
   */
  @Test
  void aConnectionThatOutlivedTheLongestWaitServedThoughIdle(CapturedOutput output)
      throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket flaky = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      acceptAndDrop(
          flaky,
          n -> {
            // three turned away at once, then one held a while, then dropped unanswered
            if (accepted.incrementAndGet() == 4) {
              Thread.sleep(1500);
            }
          });
      try (ConfigurableApplicationContext context =
          new SpringApplicationBuilder(ClientApp.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "spring.main.banner-mode=off",
                  "logging.level.io.packetstream.spring.client.PacketStreamClient=DEBUG",
                  "packetstream.clients.flaky.host=127.0.0.1",
                  "packetstream.clients.flaky.port=" + flaky.getLocalPort(),
                  "packetstream.clients.flaky.reconnect.initial-delay=50ms",
                  "packetstream.clients.flaky.reconnect.max-delay=400ms")
              .run()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> !lines(output, "flaky", "(the peer or the network failed)").isEmpty());
        assertThat(lines(output, "flaky", " WARN "))
            .hasSize(2)
            .last()
            .asString()
            .contains("the stream ended without the peer's EOF (the peer or the network failed)");
      }
    }
  }

  /**
   * A connection that closes itself when idle hears the peer's EOF answer its own: the peer was
   * reached, and the client says that it closed the connection itself and reconnects at the initial
   * delay every time, however idle it stays.
   */
  @Test
  void aConnectionClosedByItsIdleTimeoutReconnectsAtTheInitialDelay(CapturedOutput output)
      throws Exception {
    PacketServer peer =
        PacketServer.builder(PacketConnection.builder().handler(rq -> Response.ok("here")))
            .name("quiet")
            .bind(new InetSocketAddress("127.0.0.1", 0));
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(ClientApp.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.main.banner-mode=off",
                "logging.level.io.packetstream.spring.client.PacketStreamClient=DEBUG",
                "packetstream.clients.idle.host=127.0.0.1",
                "packetstream.clients.idle.port=" + peer.port(),
                "packetstream.clients.idle.idle-timeout=200ms",
                "packetstream.clients.idle.reconnect.initial-delay=50ms",
                "packetstream.clients.idle.reconnect.max-delay=400ms")
            .run()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> lines(output, "idle", "reconnecting in").size() >= 4);
      assertThat(lines(output, "idle", "reconnecting in"))
          .allMatch(
              line ->
                  line.contains(" INFO ")
                      && line.endsWith("idle closed by this end; reconnecting in 50ms"));
      assertThat(lines(output, "idle", "retrying in")).isEmpty();
    } finally {
      peer.close();
    }
  }

  /** What a raw peer does with a connection it accepted, before it closes it. */
  interface Holding {
    void accepted(Socket peer) throws Exception;
  }

  /**
   * Accepts every peer of {@code listener}, lets {@code holding} have it, then closes it without a
   * word, on a daemon thread, until the test closes the listener.
   */
  private static void acceptAndDrop(ServerSocket listener, Holding holding) {
    Thread acceptor =
        new Thread(
            () -> {
              while (true) {
                try (Socket peer = listener.accept()) {
                  holding.accepted(peer);
                } catch (Exception e) {
                  return; // the test closed the listener
                }
              }
            },
            "raw-peer");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The lines of this test's client that contain {@code text}. */
  private static List<String> lines(CapturedOutput output, String text) {
    return lines(output, "full", text);
  }

  /** The lines of the client named {@code client} that contain {@code text}. */
  private static List<String> lines(CapturedOutput output, String client, String text) {
    return output
        .getOut()
        .lines()
        .filter(
            line -> line.contains("packetstream client " + client + ": ") && line.contains(text))
        .toList();
  }
}
