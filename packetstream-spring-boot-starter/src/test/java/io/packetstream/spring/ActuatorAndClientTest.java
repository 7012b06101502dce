package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionEvent;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A named client to a real peer, the server, meters from the application's registry after real
 * traffic, and /actuator/health and /actuator/packetstream read over real HTTP, including a client
 * going DOWN when its peer disappears and UP again after reconnecting.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.clients.peer.host=127.0.0.1",
      "packetstream.clients.peer.reconnect.initial-delay=50ms",
      "packetstream.clients.peer.reconnect.max-delay=200ms",
      "packetstream.metrics.per-connection=true",
      // the traffic listener's own request timers, per connection
      "packetstream.observations.enabled=false",
      "management.endpoints.web.exposure.include=health,packetstream",
      "management.endpoint.health.show-details=always"
    })
class ActuatorAndClientTest {

  private static final JsonMapper JSON = new JsonMapper();
  private static volatile PacketServer peer;
  private static int peerPort;

  /** The peer: reverses type 1; for type 2 asks the requester's type 2 back. */
  private static PacketServer startPeer(int port) throws IOException {
    return PacketServer.builder(
            PacketConnection.builder()
                .handler(
                    rq -> {
                      if (rq.rqType() == 2) {
                        return io.packetstream.connection.Reply.later(
                            rq.connection()
                                .submit(2, 0, rq.payload())
                                .thenApply(r -> Response.ok("callback " + r.text())));
                      }
                      return Response.ok(new StringBuilder(rq.text()).reverse().toString());
                    }))
        .name("peer")
        .bind(new InetSocketAddress("127.0.0.1", port));
  }

  @DynamicPropertySource
  static void peerPort(DynamicPropertyRegistry registry) throws IOException {
    if (peer == null) {
      peer = startPeer(0);
      peerPort = peer.port();
    }
    registry.add("packetstream.clients.peer.port", () -> peerPort);
  }

  @AfterAll
  static void stopPeer() {
    peer.close();
  }

  @LocalServerPort int httpPort;

  @Autowired
  @Qualifier("peer")
  PacketStreamClient client;

  @Autowired PacketStreamServer server;
  @Autowired MeterRegistry registry;
  @Autowired RecordedEvents events;
  @Autowired TestHandlers handlers;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void clientIsConnected() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.status() == PacketStreamClient.Status.CONNECTED);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  @Test
  void clientCallsThePeerAndServesItsCallBack() throws Exception {
    assertThat(client.call(1, 0, "abc".getBytes(UTF_8))).isEqualTo(Response.ok("cba"));
    Response r = client.submit(2, 0, "x".getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
    assertThat(r).isEqualTo(Response.ok("callback X"));
  }

  @Test
  void healthShowsServerAndClientButNoEntryPerConnection() throws Exception {
    JsonNode health = get("/actuator/health");
    JsonNode ps = health.at("/components/packetstream");
    assertThat(ps.at("/status").asString()).isEqualTo("UP");
    assertThat(ps.at("/components/server/status").asString()).isEqualTo("UP");
    assertThat(ps.at("/components/server/details/listening").asBoolean()).isTrue();
    assertThat(ps.at("/components/peer/status").asString()).isEqualTo("UP");
    assertThat(ps.at("/components/peer/details/remoteAddress").asString()).contains(":" + peerPort);
    assertThat(ps.at("/components/peer/details/openedAt").asString()).isNotEmpty();

    try (PacketConnection c = newServerConnection()) {
      c.call(2, 0, "hello".getBytes(UTF_8));
      JsonNode components = get("/actuator/health").at("/components/packetstream/components");
      assertThat(components.at("/server/details/connections").asInt())
          .isEqualTo(server.connections().size())
          .isPositive();
      List<String> names = new ArrayList<>();
      components.propertyNames().forEach(names::add);
      assertThat(names).containsExactlyInAnyOrder("server", "peer");
    }
  }

  /** A connection that drains while its peer's request runs is no outage. */
  @Test
  void aDrainingConnectionKeepsTheApplicationUp() throws Exception {
    PacketConnection c = newServerConnection();
    CompletableFuture<Response> slow = c.submit(30, 0, new byte[0]);
    assertThat(handlers.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
    PacketConnection serverSide = serverSideOf;
    // the server's side closes gracefully: it drains until the running handler answers
    Thread closer = new Thread(serverSide::close, "graceful-close");
    closer.start();
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> serverSide.state() == ConnectionState.DRAINING);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + httpPort + "/actuator/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode ps = JSON.readTree(r.body()).at("/components/packetstream");
      assertThat(ps.at("/status").asString()).isEqualTo("UP");
      assertThat(ps.at("/components/server/details/draining").asInt()).isEqualTo(1);
    } finally {
      handlers.slowRelease.countDown();
    }
    assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("slow done"));
    closer.join(10_000);
    c.close();
  }

  private PacketConnection serverSideOf;

  /** Connects a plain core client to the server and notes the server's side of it. */
  private PacketConnection newServerConnection() throws IOException {
    java.util.Set<PacketConnection> before = java.util.Set.copyOf(server.connections());
    PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.connections().stream().anyMatch(s -> !before.contains(s)));
    serverSideOf =
        server.connections().stream().filter(s -> !before.contains(s)).findFirst().orElseThrow();
    return c;
  }

  @Test
  void endpointListsServerClientsAndConnections() throws Exception {
    JsonNode body = get("/actuator/packetstream");
    assertThat(body.at("/server/listening").asBoolean()).isTrue();
    assertThat(body.at("/server/port").asInt()).isEqualTo(server.port());
    assertThat(body.at("/clients/0/name").asString()).isEqualTo("peer");
    assertThat(body.at("/clients/0/status").asString()).isEqualTo("CONNECTED");
    boolean found = false;
    for (JsonNode c : body.at("/connections")) {
      if (c.at("/role").asString().equals("client")) {
        found = true;
        assertThat(c.at("/name").asString()).isEqualTo("peer");
        assertThat(c.at("/state").asString()).isEqualTo("OPEN");
        assertThat(c.at("/remoteAddress").asString()).contains(":" + peerPort);
        assertThat(c.has("bytesSent")).isTrue();
        assertThat(c.has("pendingRequests")).isTrue();
      }
    }
    assertThat(found).isTrue();
  }

  @Test
  void metersFollowTrafficAndGoAwayOnClose() throws Exception {
    PacketConnection c = newServerConnection();
    for (int i = 0; i < 3; i++) {
      assertThat(c.call(2, 0, "m".getBytes(UTF_8)).ok()).isTrue();
    }
    assertThat(c.call(12, 0, "m".getBytes(UTF_8)).ok()).isFalse();
    String name = serverSideOf.name();
    // the listener hears of a request's end just after its answer is sent: wait for it
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer ok =
                  registry
                      .find("packetstream.requests.inbound")
                      .tags(
                          "connection",
                          name,
                          "role",
                          "server",
                          "rq.type",
                          "2",
                          "outcome",
                          "SUCCESS")
                      .timer();
              return ok != null && ok.count() == 3;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                registry
                        .find("packetstream.requests.inbound")
                        .tags("connection", name, "rq.type", "12", "outcome", "SERVER_ERROR")
                        .timer()
                    != null);
    FunctionCounter received =
        registry.find("packetstream.packets.received").tags("connection", name).functionCounter();
    assertThat(received.count()).isEqualTo(4);
    assertThat(
            registry
                .find("packetstream.received")
                .tags("connection", name)
                .functionCounter()
                .count())
        .isPositive();
    assertThat(
            registry
                .find("packetstream.sent")
                .tags("connection", name)
                .functionCounter()
                .getId()
                .getBaseUnit())
        .isEqualTo("bytes");
    assertThat(registry.find("packetstream.requests.pending").tags("connection", name).gauge())
        .isNotNull();
    assertThat(registry.find("packetstream.requests.running").tags("connection", name).gauge())
        .isNotNull();
    assertThat(
            registry
                .find("packetstream.connections.open")
                .tags("role", "server", "name", server.name())
                .gauge()
                .value())
        .isGreaterThanOrEqualTo(1);

    client.call(1, 0, "x".getBytes(UTF_8));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer out =
                  registry
                      .find("packetstream.requests.outbound")
                      .tags(
                          "connection",
                          "peer",
                          "role",
                          "client",
                          "rq.type",
                          "1",
                          "outcome",
                          "SUCCESS")
                      .timer();
              return out != null && out.count() > 0;
            });

    c.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                registry
                        .find("packetstream.requests.inbound")
                        .tags("connection", name)
                        .meters()
                        .isEmpty()
                    && registry
                        .find("packetstream.received")
                        .tags("connection", name)
                        .meters()
                        .isEmpty());
    // every meter of the connection goes, not only those two
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (String meter :
                  new String[] {
                    "packetstream.sent",
                    "packetstream.packets.sent",
                    "packetstream.packets.received",
                    "packetstream.requests.pending",
                    "packetstream.requests.running"
                  }) {
                assertThat(registry.find(meter).tags("connection", name).meters())
                    .as(meter)
                    .isEmpty();
              }
              assertThat(registry.getMeters())
                  .noneMatch(m -> name.equals(m.getId().getTag("connection")));
            });
  }

  @Test
  void requestTypesNoHandlerAnswersShareOneUnknownTimer() throws Exception {
    PacketConnection c = newServerConnection();
    String name = serverSideOf.name();
    java.util.Random random = new java.util.Random(20261201);
    int invented = 200;
    for (int i = 0; i < invented; i++) {
      long type = 10_000 + random.nextInt(1_000_000);
      assertThat(c.call(type, 0, new byte[0]).ok()).isFalse();
    }
    // a type that has a handler, but on a channel that has none, is unknown too
    assertThat(c.submit(9, 2, 0, new byte[0], Duration.ZERO).get(10, TimeUnit.SECONDS).ok())
        .isFalse();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer failed =
                  registry
                      .find("packetstream.requests.inbound")
                      .tags("connection", name, "rq.type", "unknown", "outcome", "CLIENT_ERROR")
                      .timer();
              Timer rejected =
                  registry
                      .find("packetstream.requests.inbound")
                      .tags("connection", name, "rq.type", "unknown", "outcome", "REJECTED")
                      .timer();
              return failed != null
                  && failed.count() == invented
                  && rejected != null
                  && rejected.count() == 1;
            });
    assertThat(registry.find("packetstream.requests.inbound").tags("connection", name).timers())
        .hasSize(2)
        .allMatch(t -> "unknown".equals(t.getId().getTag("rq.type")));
    c.close();
  }

  @Test
  void clientGoesDownWithItsPeerAndUpAfterReconnecting() throws Exception {
    PacketConnection before = client.connection().orElseThrow();
    peer.close();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                "DOWN"
                    .equals(
                        get("/actuator/health")
                            .at("/components/packetstream/components/peer/status")
                            .asString()));
    assertThat(get("/actuator/health").at("/components/packetstream/status").asString())
        .isEqualTo("DOWN");
    assertThat(client.status()).isIn(PacketStreamClient.Status.RECONNECTING);
    assertThat(events.events)
        .anyMatch(
            e ->
                e.connection() == before
                    && e.role() == ConnectionRole.CLIENT
                    && !(e instanceof PacketConnectionEvent.Opened));

    peer = startPeer(peerPort);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                "UP"
                    .equals(
                        get("/actuator/health")
                            .at("/components/packetstream/components/peer/status")
                            .asString()));
    assertThat(client.connection().orElseThrow()).isNotSameAs(before);
    assertThat(client.call(1, 0, "ok".getBytes(UTF_8))).isEqualTo(Response.ok("ko"));
  }
}
