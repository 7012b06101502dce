package io.packetstream.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.sample.KeyValueClientConfiguration.ReceivedChanges;
import io.packetstream.sample.KeyValueClientConfiguration.ReceivedChanges.Received;
import io.packetstream.sample.KeyValueService.Put;
import io.packetstream.spring.client.PacketRequestFailedException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A second instance of the sample as a client of the first, through {@link KeyValueApi}: it stores,
 * reads, lists and deletes, is refused a missing key, and watches, receiving the changes the first
 * instance calls it back with.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "packetstream.server.port=0")
class KeyValueClientTest {

  @Value("${local.packetstream.server.port}")
  int packetPort;

  private ConfigurableApplicationContext client;

  @BeforeEach
  void startClient() {
    client =
        new SpringApplicationBuilder(SampleApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.server.enabled=false",
                "packetstream.clients.kv.host=127.0.0.1",
                "packetstream.clients.kv.port=" + packetPort,
                "packetstream.clients.kv.fail-fast=true",
                "packetstream.clients.kv.request-timeout=10s",
                "spring.main.banner-mode=off")
            .run();
  }

  @AfterEach
  void stopClient() {
    client.close();
  }

  @Test
  void aSecondInstanceUsesTheFirstThroughItsInterface() {
    KeyValueApi kv = client.getBean(KeyValueApi.class);

    assertThat(kv.put(new Put("fruit/apple", "red"), 0)).isZero();
    assertThat(kv.put(new Put("fruit/apple", "green"), 0)).as("replaced").isEqualTo(1);
    assertThat(kv.put(new Put("fruit/pear", "yellow"), 0)).isZero();
    assertThat(kv.get("fruit/apple")).isEqualTo("green");
    assertThat(kv.list("fruit/")).containsExactly("fruit/apple", "fruit/pear");
    assertThatThrownBy(() -> kv.get("fruit/kiwi"))
        .isInstanceOfSatisfying(
            PacketRequestFailedException.class,
            e -> assertThat(e.payload(String.class)).isEqualTo("no such key: fruit/kiwi"));

    assertThat(kv.delete("fruit/apple")).isEqualTo(1);
    assertThat(kv.delete("fruit/apple")).isZero();
    assertThat(kv.list("fruit/")).containsExactly("fruit/pear");
  }

  @Test
  void aWatchingInstanceIsCalledBackWithEachChange() {
    KeyValueApi kv = client.getBean(KeyValueApi.class);
    ReceivedChanges received = client.getBean(ReceivedChanges.class);

    assertThat(kv.watch("veg/")).isEqualTo("watching veg/");
    kv.put(new Put("veg/leek", "white"), KeyValueService.SYNC_WATCHERS);
    assertThat(received.changes())
        .as("taken before the put was answered")
        .containsExactly(new Received("veg/leek", "white", false));

    kv.put(new Put("fruit/fig", "purple"), 0);
    kv.delete("veg/leek");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(received.changes())
                    .containsExactly(
                        new Received("veg/leek", "white", false),
                        new Received("veg/leek", null, true)));
  }
}
