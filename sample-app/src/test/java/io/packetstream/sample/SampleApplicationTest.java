package io.packetstream.sample;

import static io.packetstream.sample.KeyValueService.CHANGED;
import static io.packetstream.sample.KeyValueService.DELETE;
import static io.packetstream.sample.KeyValueService.DELETED;
import static io.packetstream.sample.KeyValueService.GET;
import static io.packetstream.sample.KeyValueService.LIST;
import static io.packetstream.sample.KeyValueService.PUT;
import static io.packetstream.sample.KeyValueService.SYNC_WATCHERS;
import static io.packetstream.sample.KeyValueService.WATCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.sample.KeyValueService.Change;
import io.packetstream.sample.KeyValueService.Put;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.test.LocalPacketStreamServerPort;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.AutoConfigurePacketStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole sample service on random ports, driven by packetstream peers over TCP and read over
 * real HTTP: every request type, watch callbacks delivered to other peers, health and meters.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "packetstream.server.port=0")
@AutoConfigurePacketStream
class SampleApplicationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final ParameterizedTypeReference<List<String>> KEYS =
      new ParameterizedTypeReference<>() {};

  @LocalServerPort int httpPort;

  @LocalPacketStreamServerPort int packetPort;

  @Autowired PacketStreamTester client;

  @Autowired PayloadCodec codec;

  @Test
  void putsGetsListsAndDeletes() {
    client.request(PUT).payload(new Put("fruit/apple", "red")).exchange().assertOk().assertFlags(0);
    client
        .request(PUT)
        .payload(new Put("fruit/apple", "green"))
        .exchange()
        .assertOk()
        .assertFlags(1); // it replaced a value
    client.request(PUT).payload(new Put("fruit/pear", "yellow")).exchange().assertOk();
    client.request(PUT).payload(new Put("veg/leek", "white")).exchange().assertOk();

    client.request(GET).payload("fruit/apple").exchange().assertOk().assertPayload("green");
    client
        .request(GET)
        .payload("fruit/kiwi")
        .exchange()
        .assertNotOk()
        .assertPayload("no such key: fruit/kiwi");

    assertThat(client.request(LIST).payload("fruit/").exchange().assertOk().payload(KEYS))
        .containsExactly("fruit/apple", "fruit/pear");

    client.request(DELETE).payload("fruit/apple").exchange().assertOk().assertFlags(1);
    client.request(DELETE).payload("fruit/apple").exchange().assertOk().assertFlags(0);
    assertThat(client.request(LIST).payload("fruit/").exchange().assertOk().payload(KEYS))
        .containsExactly("fruit/pear");
  }

  @Test
  void refusesMalformedPutsAndUnknownTypes() {
    client.request(PUT).payload("not json").exchange().assertNotOk();
    client
        .request(PUT)
        .payload("{\"key\":\"k\"}")
        .exchange()
        .assertNotOk()
        .assertPayload("invalid Put: value: must not be null");
    client.request(42).exchange().assertNotOk();
  }

  /** Another peer of the service, which takes the changes it is told of. */
  private PacketStreamTester watcher() throws Exception {
    return PacketStreamTester.connect("127.0.0.1", packetPort, codec)
        .onRequest(CHANGED)
        .respondOk();
  }

  @Test
  void callsEveryWatchingPeerBackOverItsOwnConnection() throws Exception {
    try (PacketStreamTester watcher = watcher();
        PacketStreamTester other = watcher()) {
      watcher.request(WATCH).payload("w/").exchange().assertOk().assertPayload("watching w/");
      other
          .request(WATCH)
          .payload("w/a")
          .exchange()
          .assertOk() // overlaps the first peer's
          .assertPayload("watching w/a");

      // flags bit 0: the put is answered only after the watchers have taken the change, so
      // each has it already
      client.request(PUT).payload(new Put("w/a", "1")).flags(SYNC_WATCHERS).exchange().assertOk();
      watcher.awaitRequest(CHANGED, Duration.ZERO).assertPayload(new Change("w/a", "1"));
      other.awaitRequest(CHANGED, Duration.ZERO).assertPayload(new Change("w/a", "1"));

      client.request(PUT).payload(new Put("w/b", "2")).flags(SYNC_WATCHERS).exchange().assertOk();
      watcher.awaitRequest(CHANGED, Duration.ZERO).assertPayload(new Change("w/b", "2"));
      other.assertNoRequest(CHANGED); // w/b is not under w/a

      client.request(PUT).payload(new Put("other", "x")).exchange().assertOk();
      client.request(DELETE).payload("w/a").exchange().assertOk();
      watcher
          .awaitRequest(CHANGED, WAIT)
          .assertFlags(DELETED)
          .assertPayload(new Change("w/a", null));
      watcher.assertNoRequest(CHANGED); // nothing outside the prefix
      other
          .awaitRequest(CHANGED, WAIT)
          .assertFlags(DELETED)
          .assertPayload("{\"key\":\"w/a\",\"value\":null}");
      other.assertNoRequest(CHANGED);
    }
  }

  @Test
  void callsAPeerBackForChangesUnderEachOfItsPrefixesOnce() throws Exception {
    try (PacketStreamTester watcher = watcher()) {
      watcher.request(WATCH).payload("x/").exchange().assertOk().assertPayload("watching x/");
      watcher
          .request(WATCH)
          .payload("y/")
          .exchange()
          .assertOk() // keeps the first
          .assertPayload("watching y/");
      watcher
          .request(WATCH)
          .payload("x/deep/")
          .exchange()
          .assertOk() // inside the first
          .assertPayload("watching x/deep/");

      for (String key : List.of("x/1", "y/1", "z/1", "x/deep/1")) {
        client.request(PUT).payload(new Put(key, "v")).flags(SYNC_WATCHERS).exchange().assertOk();
      }
      // every put was answered after the changes it caused were taken: all have come
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        keys.add(watcher.awaitRequest(CHANGED, Duration.ZERO).payload(Change.class).key());
      }
      assertThat(keys)
          .as("each change under a prefix, once, and none under z/")
          .containsExactly("x/1", "y/1", "x/deep/1");
      watcher.assertNoRequest(CHANGED);
    }
  }

  @Test
  void showsItsConnectionsInHealthAndMetricsOverHttp() throws Exception {
    client.request(PUT).payload(new Put("m", "1")).exchange().assertOk();
    HttpClient http = HttpClient.newHttpClient();
    JsonNode health = JSON.readTree(get(http, "/actuator/health"));
    assertThat(health.path("components").path("packetstream").path("status").asString())
        .as("the packetstream component of %s", health)
        .isEqualTo("UP");
    String meters = get(http, "/actuator/metrics");
    assertThat(meters).contains("packetstream.server.requests");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(get(http, "/actuator/prometheus"))
                    .contains(
                        "packetstream_server_requests_seconds_count{channel=\"0\",error=\"none\",name=\"packetstream-server\",outcome=\"SUCCESS\",role=\"server\",rq_type=\"1\"}")
                    // tagged by server, not by connection; the unit is said once
                    .contains(
                        "packetstream_received_bytes_total{name=\"packetstream-server\",role=\"server\"}")
                    .doesNotContain("remote=")
                    .doesNotContain("_bytes_bytes"));
    // this test's client is connected: the server lists its end of that connection
    JsonNode endpoint = JSON.readTree(get(http, "/actuator/packetstream"));
    List<String> connections = new ArrayList<>();
    endpoint.path("connections").forEach(c -> connections.add(c.path("name").asString()));
    assertThat(connections)
        .as("connections of %s", endpoint)
        .anySatisfy(name -> assertThat(name).startsWith("packetstream-server#"));
  }

  private String get(HttpClient http, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }
}
