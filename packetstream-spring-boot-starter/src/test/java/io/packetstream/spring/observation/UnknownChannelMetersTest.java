package io.packetstream.spring.observation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.TestApplication;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A peer cannot add request meters by choosing channels: requests on channels no handler serves
 * share one {@code channel=unknown} series, while served channels keep their number. Real traffic
 * over TCP, Boot's own registries.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.server.name=channels"
    })
class UnknownChannelMetersTest {

  private static final int UNSERVED_CHANNELS = 50;

  @Autowired MeterRegistry meters;
  @Autowired PacketStreamServer server;

  @Test
  @Timeout(60)
  void requestsOnUnservedChannelsShareOneSeries() throws Exception {
    try (PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      // TestHandlers serve channels 0 and 1 only
      for (int channel = 2; channel < 2 + UNSERVED_CHANNELS; channel++) {
        assertThat(
                c.submit(channel, 2, 0, "a".getBytes(UTF_8), Duration.ZERO)
                    .get(10, TimeUnit.SECONDS)
                    .ok())
            .isFalse();
      }
      assertThat(
              c.submit(1, 1, 0, "b".getBytes(UTF_8), Duration.ZERO)
                  .get(10, TimeUnit.SECONDS)
                  .text())
          .isEqualTo("channel one b");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> count(timers("unknown")) == UNSERVED_CHANNELS && count(timers("1")) == 1);

    assertThat(timers("unknown"))
        .singleElement()
        .satisfies(t -> assertThat(t.getId().getTag("rq.type")).isEqualTo("unknown"));
    assertThat(timers("1"))
        .singleElement()
        .satisfies(t -> assertThat(t.getId().getTag("rq.type")).isEqualTo("1"));
    Collection<Timer> all = meters.find("packetstream.server.requests").timers();
    assertThat(all)
        .extracting(t -> t.getId().getTag("channel"))
        .containsOnly("unknown", "1")
        .hasSize(2);
    Collection<LongTaskTimer> active =
        meters.find("packetstream.server.requests.active").longTaskTimers();
    assertThat(active)
        .extracting(t -> t.getId().getTag("channel"))
        .containsExactlyInAnyOrder("unknown", "1");
  }

  private Collection<Timer> timers(String channel) {
    return meters.find("packetstream.server.requests").tag("channel", channel).timers();
  }

  private static long count(Collection<Timer> timers) {
    return timers.stream().mapToLong(Timer::count).sum();
  }
}
