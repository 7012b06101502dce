package io.packetstream.spring.observation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.TestApplication;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Request observations give the timers and long-task timers Boot's default meter handler would,
 * through the starter's own meter handler, which Boot asks first for them only: every other
 * observation still reaches Boot's. Real traffic over TCP, Boot's own registries.
 */
@SpringBootTest(
    classes = {TestApplication.class, RequestMetersTest.Stopped.class},
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.server.name=metered"
    })
class RequestMetersTest {

  @TestConfiguration(proxyBeanMethods = false)
  static class Stopped {
    final List<Observation.Context> contexts = new CopyOnWriteArrayList<>();

    @Bean
    ObservationHandler<Observation.Context> stoppedContexts() {
      return new ObservationHandler<>() {
        @Override
        public boolean supportsContext(Observation.Context context) {
          return true;
        }

        @Override
        public void onStop(Observation.Context context) {
          contexts.add(context);
        }
      };
    }
  }

  @Autowired MeterRegistry meters;
  @Autowired ObservationRegistry observations;
  @Autowired PacketStreamServer server;
  @Autowired Stopped stopped;

  private Timer timer(String type, String outcome, String error) {
    return meters
        .find("packetstream.server.requests")
        .tags(
            "role", "server", "name", "metered", "channel", "0", "rq.type", type, "outcome",
            outcome, "error", error)
        .timer();
  }

  @Test
  void eachRequestIsTimedOnceTaggedWithItsKeysAndError() throws Exception {
    try (PacketConnection c =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder())) {
      for (int i = 0; i < 3; i++) {
        assertThat(c.submit(2, 0, "a".getBytes(UTF_8)).get(10, TimeUnit.SECONDS).ok()).isTrue();
      }
      assertThat(c.submit(12, 0, "b".getBytes(UTF_8)).get(10, TimeUnit.SECONDS).ok()).isFalse();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer failed = timer("12", "SERVER_ERROR", "IllegalStateException");
              return failed != null && failed.count() == 1;
            });
    // once each: the starter's handler took them, Boot's default did not time them again
    assertThat(timer("2", "SUCCESS", "none").count()).isEqualTo(3);
    // the time each took, as the connection measured it, reached the timer
    assertThat(timer("2", "SUCCESS", "none").totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(
            meters.find("packetstream.server.requests").timers().stream()
                .mapToLong(Timer::count)
                .sum())
        .isEqualTo(4);
    LongTaskTimer active =
        meters
            .find("packetstream.server.requests.active")
            .tags("rq.type", "2", "outcome", "UNKNOWN")
            .longTaskTimer();
    assertThat(active).isNotNull();
    assertThat(active.activeTasks()).isZero();
    assertThat(stopped.contexts)
        .filteredOn(ctx -> ctx instanceof PacketStreamObservationContext)
        .hasSizeGreaterThanOrEqualTo(4)
        .allSatisfy(ctx -> assertThat((Object) ctx.get(Timer.Sample.class)).isNull());
  }

  @Test
  void otherObservationsStillReachBootsMeterHandler() {
    Observation.createNotStarted("other.work", observations).observe(() -> {});
    assertThat(meters.find("other.work").timer()).isNotNull();
    assertThat(meters.find("other.work").timer().count()).isEqualTo(1);
  }
}
