package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.TestApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.client.discovery.simple.InstanceProperties;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A balanced client over three real servers on 127.0.0.1 listed in Spring Cloud's simple
 * properties-based discovery, which the test changes at run time through its {@link
 * SimpleDiscoveryProperties} bean (the simple client reads it at every look-up): requests spread
 * over all, health and the endpoint show each instance over real HTTP, one instance killed mid-run
 * fails exactly its pending requests (naming it) and no other, an instance added gets traffic, and
 * one that leaves discovery is drained without a failure.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "packetstream.clients.echo.service-id=echo-service",
      "packetstream.clients.echo.refresh-interval=200ms",
      "packetstream.clients.echo.reconnect.initial-delay=50ms",
      "packetstream.clients.echo.reconnect.max-delay=200ms",
      "management.endpoints.web.exposure.include=health,packetstream",
      "management.endpoint.health.show-details=always"
    })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class BalancedClientDiscoveryTest {

  private static final JsonMapper JSON = new JsonMapper();
  private static final List<TestPeer> PEERS = new ArrayList<>();
  private static TestPeer a;
  private static TestPeer b;
  private static TestPeer c;

  @DynamicPropertySource
  static void instances(DynamicPropertyRegistry registry) throws IOException {
    if (a == null) {
      a = started("a");
      b = started("b");
      c = started("c");
    }
    String prefix = "spring.cloud.discovery.client.simple.instances.echo-service";
    registry.add(prefix + "[0].uri", () -> "tcp://" + a.address());
    registry.add(prefix + "[1].uri", () -> "tcp://" + b.address());
    // host and port, the other way the simple discovery takes an instance
    registry.add(prefix + "[2].host", () -> "127.0.0.1");
    registry.add(prefix + "[2].port", () -> c.port());
  }

  private static TestPeer started(String label) throws IOException {
    TestPeer p = new TestPeer(label);
    PEERS.add(p);
    return p;
  }

  @AfterAll
  static void stopPeers() {
    PEERS.forEach(TestPeer::close);
  }

  @LocalServerPort int httpPort;

  @Autowired
  @Qualifier("echo")
  PacketStreamClient echo;

  @Autowired SimpleDiscoveryProperties discovery;

  private final HttpClient http = HttpClient.newHttpClient();

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static String memberOf(TestPeer p) {
    return "echo[" + p.address() + "]";
  }

  /** The names of the instances that take requests now. */
  private List<String> ready() {
    List<String> names = new ArrayList<>();
    for (PacketStreamClient i : echo.instances()) {
      if (i.status() == PacketStreamClient.Status.CONNECTED) {
        names.add(i.name());
      }
    }
    return names;
  }

  private void awaitReady(TestPeer... peers) {
    List<String> names = new ArrayList<>();
    for (TestPeer p : peers) {
      names.add(memberOf(p));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ready().size() == names.size() && ready().containsAll(names));
  }

  /** Lists {@code peers} as the service's instances in the simple discovery. */
  private void listInDiscovery(TestPeer... peers) {
    List<InstanceProperties> list = new ArrayList<>();
    for (TestPeer p : peers) {
      InstanceProperties i = new InstanceProperties();
      i.setServiceId("echo-service");
      i.setUri(URI.create("tcp://" + p.address()));
      list.add(i);
    }
    Map<String, List<InstanceProperties>> instances = new LinkedHashMap<>();
    instances.put("echo-service", list);
    discovery.setInstances(instances);
  }

  /** {@code n} calls one after another; every one must succeed. */
  private void calls(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      assertThat(echo.call(1, 0, new byte[0]).ok()).isTrue();
    }
  }

  /** Ten calls per instance, one after another: round-robin gives each exactly ten. */
  private void tenCallsEach(TestPeer... peers) throws Exception {
    Map<TestPeer, Integer> before = new LinkedHashMap<>();
    for (TestPeer p : peers) {
      before.put(p, p.answered.get());
    }
    calls(10 * peers.length);
    for (TestPeer p : peers) {
      assertThat(p.answered.get() - before.get(p)).as(p.label).isEqualTo(10);
    }
  }

  @Test
  @Order(1)
  void requestsSpreadOverEveryInstance() throws Exception {
    awaitReady(a, b, c);
    tenCallsEach(a, b, c);
  }

  @Test
  @Order(2)
  void healthAndEndpointShowEachInstance() throws Exception {
    awaitReady(a, b, c);
    JsonNode client = get("/actuator/health").at("/components/packetstream/components/echo");
    assertThat(client.at("/status").asString()).isEqualTo("UP");
    assertThat(client.at("/details/ready").asInt()).isEqualTo(3);
    assertThat(client.at("/details/balancing").asString())
        .contains("service 'echo-service'")
        .contains("round-robin");
    for (TestPeer p : List.of(a, b, c)) {
      JsonNode instance = client.at("/details/instances").get(memberOf(p));
      assertThat(instance).as(memberOf(p)).isNotNull();
      assertThat(instance.at("/client").asString()).isEqualTo("CONNECTED");
      assertThat(instance.at("/state").asString()).isEqualTo("OPEN");
      assertThat(instance.at("/remoteAddress").asString()).contains(":" + p.port());
    }

    JsonNode body = get("/actuator/packetstream");
    JsonNode described = null;
    for (JsonNode d : body.at("/clients")) {
      if (d.at("/name").asString().equals("echo")) {
        described = d;
      }
    }
    assertThat(described).isNotNull();
    assertThat(described.at("/status").asString()).isEqualTo("CONNECTED");
    List<String> instances = new ArrayList<>();
    described.at("/instances").forEach(i -> instances.add(i.at("/name").asString()));
    assertThat(instances).containsExactlyInAnyOrder(memberOf(a), memberOf(b), memberOf(c));
    List<String> connections = new ArrayList<>();
    body.at("/connections")
        .forEach(
            conn -> {
              if (conn.at("/role").asString().equals("client")) {
                connections.add(conn.at("/name").asString());
              }
            });
    assertThat(connections).containsExactlyInAnyOrder(memberOf(a), memberOf(b), memberOf(c));
  }

  /**
   * B holds the requests it gets, then dies: exactly those fail, each naming B; the rest, and every
   * request after, succeed on the others. B leaves discovery and D joins: D gets its share.
   */
  @Test
  @Order(3)
  void aKilledInstanceFailsOnlyItsPendingRequestsAndANewOneGetsTraffic() throws Exception {
    awaitReady(a, b, c);
    b.hold = true;
    List<CompletableFuture<Response>> inFlight = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      inFlight.add(echo.submit(1, 0, new byte[0]));
    }
    // round-robin over three: a third of them wait at B
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> b.held.get() + inFlight.stream().filter(CompletableFuture::isDone).count() == 30);
    assertThat(b.held.get()).isEqualTo(10);
    b.kill();

    int ok = 0;
    List<Throwable> failures = new ArrayList<>();
    for (CompletableFuture<Response> f : inFlight) {
      try {
        assertThat(f.get(30, TimeUnit.SECONDS).ok()).isTrue();
        ok++;
      } catch (ExecutionException e) {
        failures.add(e.getCause());
      }
    }
    assertThat(ok).isEqualTo(20);
    assertThat(failures)
        .hasSize(10)
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(ConnectionClosedException.class)
                    .hasMessageContaining("instance " + memberOf(b))
                    .hasMessageContaining("ended before it answered request type 1"));

    // B is still listed but down: nothing goes to it
    awaitReady(a, c);
    calls(20);

    TestPeer d = started("d");
    listInDiscovery(a, c, d);
    awaitReady(a, c, d);
    assertThat(echo.instances()).extracting(PacketStreamClient::name).doesNotContain(memberOf(b));
    tenCallsEach(a, c, d);
  }

  /**
   * C holds requests and then leaves discovery: its connection drains, answering what it holds once
   * C lets go, while every new request goes to the others and none fails.
   */
  @Test
  @Order(4)
  void anInstanceThatLeavesDrainsWithoutFailingARequest() throws Exception {
    TestPeer d = PEERS.get(PEERS.size() - 1);
    awaitReady(a, c, d);
    c.hold = true;
    List<CompletableFuture<Response>> inFlight = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      inFlight.add(echo.submit(1, 0, new byte[0]));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> c.held.get() == 3);
    listInDiscovery(a, d);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> echo.instances().stream().noneMatch(i -> i.name().equals(memberOf(c))));
    int heldBefore = c.held.get();
    calls(20);
    assertThat(c.held.get()).isEqualTo(heldBefore);
    c.release.complete(Response.ok("c late"));
    for (CompletableFuture<Response> f : inFlight) {
      assertThat(f.get(30, TimeUnit.SECONDS).ok()).isTrue();
    }
  }
}
