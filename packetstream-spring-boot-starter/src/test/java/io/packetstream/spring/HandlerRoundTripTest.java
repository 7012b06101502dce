package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.ActivityTick;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionEvent;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Every argument and return kind of {@code @PacketHandler}, over real TCP to the real server. */
@SpringBootTest(
    classes = {TestApplication.class, HandlerRoundTripTest.Ticks.class},
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.tick=true",
      "management.endpoints.web.exposure.include=health,packetstream"
    })
class HandlerRoundTripTest {

  /** Records activity ticks instead of writing them to standard error. */
  @TestConfiguration
  static class Ticks {
    final List<String> labels = new CopyOnWriteArrayList<>();

    @Bean
    ActivityTick recordingTick() {
      return (name, label) -> labels.add(name + " " + label);
    }
  }

  @Autowired PacketStreamServer server;
  @Autowired RecordedEvents events;
  @Autowired Ticks ticks;

  @Value("${local.packetstream.server.port}")
  int publishedPort;

  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client =
        PacketClient.connect(
            "127.0.0.1",
            server.port(),
            PacketConnection.builder()
                .name("test-client")
                .handler(rq -> Response.ok(rq.text().toUpperCase())));
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type, long flags, String payload) throws Exception {
    return client.submit(type, flags, payload.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void publishesTheBoundPort() {
    assertThat(server.port()).isPositive();
    assertThat(publishedPort).isEqualTo(server.port());
  }

  @Test
  void bytesTextAndBuffers() throws Exception {
    assertThat(call(1, 0, "abc")).isEqualTo(Response.ok("abc".getBytes(UTF_8)));
    assertThat(call(2, 0, "abc")).isEqualTo(Response.ok("ABC"));
    assertThat(call(3, 0, "abc")).isEqualTo(Response.ok("cba"));
  }

  @Test
  void flagsInAndOut() throws Exception {
    assertThat(call(4, 41, "")).isEqualTo(Response.ok(42));
    assertThat(call(5, 21, "")).isEqualTo(Response.ok(42));
    assertThat(call(8, 5, "x")).isEqualTo(Response.ok(10, "x".getBytes(UTF_8)));
  }

  @Test
  void voidIsAnEmptyOk() throws Exception {
    assertThat(call(6, 0, "ignored")).isEqualTo(Response.empty());
  }

  @Test
  void requestContextDescribesTheRequest() throws Exception {
    assertThat(call(7, 3, "").text()).matches("packetstream-server#\\d+\\|0\\|7\\|3\\|true");
  }

  @Test
  void jsonPayloadsBothWays() throws Exception {
    assertThat(call(9, 0, "{\"name\":\"ann\",\"times\":2}").text())
        .isEqualTo("{\"text\":\"hello ann hello ann\"}");
    assertThat(call(18, 0, "[{\"name\":\"a\",\"times\":1},{\"name\":\"b\",\"times\":1}]").text())
        .isEqualTo("[{\"text\":\"a\"},{\"text\":\"b\"}]");
  }

  @Test
  void badJsonIsANotOkAnswerThatSaysWhy() throws Exception {
    Response r = call(9, 0, "not json");
    assertThat(r.ok()).isFalse();
    assertThat(r.text()).startsWith("cannot read the payload as Greet: Unrecognized token 'not'");
  }

  @Test
  void asyncResults() throws Exception {
    assertThat(call(10, 0, "x")).isEqualTo(Response.ok("async x"));
    assertThat(call(11, 0, "{\"name\":\"bo\",\"times\":1}").text())
        .isEqualTo("{\"text\":\"later bo\"}");
  }

  @Test
  void stagesOfEveryKind() throws Exception {
    assertThat(call(20, 0, "ignored")).isEqualTo(Response.empty());
    assertThat(call(21, 5, "")).isEqualTo(Response.ok(105));
    assertThat(call(22, 0, "four")).isEqualTo(Response.ok(new byte[] {4}));
    assertThat(call(23, 0, "x")).isEqualTo(Response.ok("buffer x"));
    assertThat(call(24, 6, "p")).isEqualTo(Response.ok(7, "p".getBytes(UTF_8)));
  }

  @Test
  void aStageFailedByAnOrdinaryExceptionIsTheOriginalsNotOk() throws Exception {
    Response r = call(25, 0, "");
    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo(Response.HANDLER_EXCEPTION);
  }

  @Test
  void requestContextHasTheTagAndThePeersAddress() throws Exception {
    java.nio.channels.SocketChannel channel =
        java.nio.channels.SocketChannel.open(
            new java.net.InetSocketAddress("127.0.0.1", server.port()));
    String local = channel.getLocalAddress().toString();
    try (PacketConnection own = PacketConnection.builder().open(channel, true)) {
      String[] seen = own.call(26, 0, new byte[0]).text().split("\\|");
      // the context's tag is the request's, and its address is this end's socket as the server sees
      // it
      assertThat(seen[0]).isEqualTo(seen[1]);
      assertThat(Long.parseLong(seen[0])).isNotNegative();
      assertThat(seen[2]).isEqualTo(seen[3]).isEqualTo(local);
    }
  }

  @Test
  void exceptionsBecomeNotOkAnswers() throws Exception {
    assertThat(call(12, 0, "x")).isEqualTo(Response.failure());
    assertThat(call(13, 0, "")).isEqualTo(Response.failure(7, "nope".getBytes(UTF_8)));
    assertThat(call(14, 0, "")).isEqualTo(Response.failure(9, "not later".getBytes(UTF_8)));
  }

  @Test
  void handlersCanCallThePeerBack() throws Exception {
    assertThat(call(15, 0, "hi")).isEqualTo(Response.ok("peer said HI"));
  }

  @Test
  void objectResultsMapByTheirClass() throws Exception {
    assertThat(call(16, 0, "bytes")).isEqualTo(Response.ok(new byte[] {1, 2}));
    assertThat(call(16, 0, "flags")).isEqualTo(Response.ok(42));
    assertThat(call(16, 0, "json").text()).isEqualTo("{\"text\":\"dyn\"}");
    assertThat(call(16, 0, "none")).isEqualTo(Response.empty());
  }

  @Test
  void aReplyForLaterDeclaredAsObjectIsWaitedFor() throws Exception {
    assertThat(call(19, 0, "x")).isEqualTo(Response.ok(7, "deferred x".getBytes(UTF_8)));
  }

  @Test
  void coreRequestAndResponseTypes() throws Exception {
    Response r = call(17, 0, "");
    assertThat(r.ok()).isFalse();
    assertThat(r.flags()).isEqualTo(3);
    assertThat(r.text()).startsWith("tag ");
  }

  @Test
  void largeTypesAndOtherChannels() throws Exception {
    assertThat(call(5000, 0, "")).isEqualTo(Response.ok("sparse"));
    Response r =
        client.submit(1, 1, 0, "x".getBytes(UTF_8), Duration.ZERO).get(10, TimeUnit.SECONDS);
    assertThat(r).isEqualTo(Response.ok("channel one x"));
  }

  @Test
  void unknownTypeGetsAClearNotOk() throws Exception {
    Response r = call(99, 0, "");
    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo("no @PacketHandler for request type 99 on channel 0");
  }

  @Test
  void eventsForOpenAndClose() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                events.events.stream()
                    .anyMatch(
                        e ->
                            e instanceof PacketConnectionEvent.Opened
                                && e.role() == ConnectionRole.SERVER));
    // the new connection is the one that was not there before: names do not sort by age
    // ("#9" > "#10"), and other tests' connections may still be closing
    java.util.Set<PacketConnection> before = java.util.Set.copyOf(server.connections());
    PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.connections().stream().anyMatch(s -> !before.contains(s)));
    String name =
        server.connections().stream()
            .filter(s -> !before.contains(s))
            .map(PacketConnection::name)
            .findFirst()
            .orElseThrow();
    c.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                events.events.stream()
                    .anyMatch(
                        e ->
                            e instanceof PacketConnectionEvent.Closed
                                && e.connection().name().equals(name)));
  }

  @Test
  void tickReportsEveryPacket() throws Exception {
    call(2, 0, "t");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ticks.labels.stream().anyMatch(l -> l.matches("packetstream-server#\\d+ <Q")));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ticks.labels.stream().anyMatch(l -> l.matches("packetstream-server#\\d+ >A")));
  }

  @Test
  void aFailedConnectionIsAnEventWithItsCause() throws Exception {
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
      // a frame length in 11 bytes: longer than any 63-bit BSUInt may be
      byte[] overlong = new byte[11];
      java.util.Arrays.fill(overlong, (byte) 0xFF);
      raw.getOutputStream().write(overlong);
      raw.getOutputStream().flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  events.events.stream()
                      .anyMatch(
                          e ->
                              e instanceof PacketConnectionEvent.Failed f
                                  && f.role() == ConnectionRole.SERVER
                                  && f.cause()
                                      instanceof io.packetstream.wire.MalformedFrameException
                                  && f.failure().orElseThrow() == f.cause()));
    }
  }
}
