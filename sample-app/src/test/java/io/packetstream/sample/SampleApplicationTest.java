package io.packetstream.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample service on random ports, driven by real packetstream clients over TCP and read over
 * real HTTP: every request type, watch callbacks delivered to other peers, health and meters.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "packetstream.server.port=0")
class SampleApplicationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort
  int httpPort;

  @Value("${local.packetstream.server.port}")
  int packetPort;

  private PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", packetPort, PacketConnection.builder());
  }

  @AfterEach
  void disconnect() {
    client.close();
  }

  private Response call(int type, long flags, String payload) throws Exception {
    return client.call(0, type, flags, payload.getBytes(UTF_8), WAIT);
  }

  @Test
  void putsGetsListsAndDeletes() throws Exception {
    assertThat(call(KeyValueService.PUT, 0, "{\"key\":\"fruit/apple\",\"value\":\"red\"}"))
        .isEqualTo(Response.ok(0));
    assertThat(call(KeyValueService.PUT, 0, "{\"key\":\"fruit/apple\",\"value\":\"green\"}"))
        .as("flags 1: it replaced a value").isEqualTo(Response.ok(1));
    assertThat(call(KeyValueService.PUT, 0, "{\"key\":\"fruit/pear\",\"value\":\"yellow\"}").ok()).isTrue();
    assertThat(call(KeyValueService.PUT, 0, "{\"key\":\"veg/leek\",\"value\":\"white\"}").ok()).isTrue();

    assertThat(call(KeyValueService.GET, 0, "fruit/apple")).isEqualTo(Response.ok("green"));
    Response missing = call(KeyValueService.GET, 0, "fruit/kiwi");
    assertThat(missing.ok()).isFalse();
    assertThat(missing.text()).isEqualTo("no such key: fruit/kiwi");

    assertThat(call(KeyValueService.LIST, 0, "fruit/").text()).isEqualTo("[\"fruit/apple\",\"fruit/pear\"]");

    assertThat(call(KeyValueService.DELETE, 0, "fruit/apple")).isEqualTo(Response.ok(1));
    assertThat(call(KeyValueService.DELETE, 0, "fruit/apple")).isEqualTo(Response.ok(0));
    assertThat(call(KeyValueService.LIST, 0, "fruit/").text()).isEqualTo("[\"fruit/pear\"]");
  }

  @Test
  void refusesMalformedPutsAndUnknownTypes() throws Exception {
    assertThat(call(KeyValueService.PUT, 0, "not json").ok()).isFalse();
    assertThat(call(KeyValueService.PUT, 0, "{\"key\":\"k\"}").text()).isEqualTo("put needs a key and a value");
    assertThat(call(42, 0, "").ok()).isFalse();
  }

  /** A peer that records the change requests the service sends it. */
  private PacketConnection watcher(BlockingQueue<Request> changes) throws Exception {
    return PacketClient.connect("127.0.0.1", packetPort, PacketConnection.builder().handler(rq -> {
      changes.add(rq);
      return Response.empty();
    }));
  }

  private static Response watch(PacketConnection watcher, String prefix) throws Exception {
    return watcher.call(0, KeyValueService.WATCH, 0, prefix.getBytes(UTF_8), WAIT);
  }

  @Test
  void callsEveryWatchingPeerBackOverItsOwnConnection() throws Exception {
    BlockingQueue<Request> changes = new LinkedBlockingQueue<>();
    BlockingQueue<Request> otherChanges = new LinkedBlockingQueue<>();
    try (PacketConnection watcher = watcher(changes);
        PacketConnection other = watcher(otherChanges)) {
      assertThat(watcher.call(0, KeyValueService.WATCH, 0, "w/".getBytes(UTF_8), WAIT))
          .isEqualTo(Response.ok("watching w/"));
      assertThat(watch(other, "w/a")).as("a prefix that overlaps the first peer's")
          .isEqualTo(Response.ok("watching w/a"));

      // flags bit 0: the put is answered only after the watchers have taken the change
      assertThat(call(KeyValueService.PUT, KeyValueService.SYNC_WATCHERS, "{\"key\":\"w/a\",\"value\":\"1\"}").ok())
          .isTrue();
      Request change = changes.poll(0, TimeUnit.SECONDS);
      assertThat(change).as("delivered before the put was answered").isNotNull();
      assertThat(change.rqType()).isEqualTo(KeyValueService.CHANGED);
      assertThat(change.text()).isEqualTo("{\"key\":\"w/a\",\"value\":\"1\"}");
      Request otherChange = otherChanges.poll(0, TimeUnit.SECONDS);
      assertThat(otherChange).as("delivered to the second peer before the put was answered").isNotNull();
      assertThat(otherChange.rqType()).isEqualTo(KeyValueService.CHANGED);
      assertThat(otherChange.text()).isEqualTo("{\"key\":\"w/a\",\"value\":\"1\"}");

      assertThat(call(KeyValueService.PUT, KeyValueService.SYNC_WATCHERS, "{\"key\":\"w/b\",\"value\":\"2\"}").ok())
          .isTrue();
      assertThat(changes.poll(0, TimeUnit.SECONDS)).as("w/b is under w/").isNotNull();
      assertThat(otherChanges).as("w/b is not under w/a").isEmpty();

      call(KeyValueService.PUT, 0, "{\"key\":\"other\",\"value\":\"x\"}");
      call(KeyValueService.DELETE, 0, "w/a");
      Request deleted = changes.poll(10, TimeUnit.SECONDS);
      assertThat(deleted).isNotNull();
      assertThat(deleted.flags()).isEqualTo(KeyValueService.DELETED);
      assertThat(deleted.text()).contains("\"key\":\"w/a\"");
      assertThat(changes).as("no change outside the prefix").isEmpty();
      Request otherDeleted = otherChanges.poll(10, TimeUnit.SECONDS);
      assertThat(otherDeleted).isNotNull();
      assertThat(otherDeleted.flags()).isEqualTo(KeyValueService.DELETED);
      assertThat(otherDeleted.text()).isEqualTo("{\"key\":\"w/a\",\"value\":null}");
      assertThat(otherChanges).as("no change outside the second peer's prefix").isEmpty();
    }
  }

  @Test
  void callsAPeerBackForChangesUnderEachOfItsPrefixesOnce() throws Exception {
    BlockingQueue<Request> changes = new LinkedBlockingQueue<>();
    try (PacketConnection watcher = watcher(changes)) {
      assertThat(watch(watcher, "x/")).isEqualTo(Response.ok("watching x/"));
      assertThat(watch(watcher, "y/")).as("a second prefix keeps the first")
          .isEqualTo(Response.ok("watching y/"));
      assertThat(watch(watcher, "x/deep/")).as("a prefix inside the first")
          .isEqualTo(Response.ok("watching x/deep/"));

      for (String key : List.of("x/1", "y/1", "z/1", "x/deep/1")) {
        assertThat(call(KeyValueService.PUT, KeyValueService.SYNC_WATCHERS,
            "{\"key\":\"" + key + "\",\"value\":\"v\"}").ok()).isTrue();
      }
      // every put was answered after the changes it caused were taken: all are in the queue
      List<String> keys = new ArrayList<>();
      for (Request change : changes) {
        keys.add(JSON.readTree(change.payload()).path("key").asString());
      }
      assertThat(keys).as("each change under a prefix, once, and none under z/")
          .containsExactly("x/1", "y/1", "x/deep/1");
    }
  }

  @Test
  void showsItsConnectionsInHealthAndMetricsOverHttp() throws Exception {
    call(KeyValueService.PUT, 0, "{\"key\":\"m\",\"value\":\"1\"}");
    HttpClient http = HttpClient.newHttpClient();
    JsonNode health = JSON.readTree(get(http, "/actuator/health"));
    assertThat(health.path("components").path("packetstream").path("status").asString())
        .as("the packetstream component of %s", health).isEqualTo("UP");
    String meters = get(http, "/actuator/metrics");
    assertThat(meters).contains("packetstream.server.requests");
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(get(http, "/actuator/prometheus"))
            .contains("packetstream_server_requests_seconds_count{channel=\"0\",error=\"none\",name=\"packetstream-server\",outcome=\"SUCCESS\",role=\"server\",rq_type=\"1\"}")
            // tagged by server, not by connection; the unit is said once
            .contains("packetstream_received_bytes_total{name=\"packetstream-server\",role=\"server\"}")
            .doesNotContain("remote=").doesNotContain("_bytes_bytes"));
    // this test's client is connected: the server lists its end of that connection
    JsonNode endpoint = JSON.readTree(get(http, "/actuator/packetstream"));
    List<String> connections = new ArrayList<>();
    endpoint.path("connections").forEach(c -> connections.add(c.path("name").asString()));
    assertThat(connections).as("connections of %s", endpoint)
        .anySatisfy(name -> assertThat(name).startsWith("packetstream-server#"));
  }

  private String get(HttpClient http, String path) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }

}
