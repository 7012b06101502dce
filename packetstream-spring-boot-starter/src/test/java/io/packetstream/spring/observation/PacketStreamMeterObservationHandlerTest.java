package io.packetstream.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.context.ConnectionRole;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which time the request timer records (the connection's measure on the system clock, the
 * registry's clock otherwise), and that requests of a kind share their meters however they are
 * found, through real registries.
 */
class PacketStreamMeterObservationHandlerTest {

  private PacketConnection connection;

  @BeforeEach
  void open() throws IOException {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    connection = PacketConnection.builder().name("c").open(in.source(), out.sink());
  }

  @AfterEach
  void close() {
    connection.abort();
  }

  private PacketStreamObservationContext context(KeyValues[] slot, long type) {
    PacketStreamObservationContext context =
        new PacketStreamObservationContext(
            ConnectionRole.SERVER,
            "s",
            connection,
            Direction.INBOUND,
            0,
            7,
            type,
            true,
            true,
            slot);
    context.timedByConnection = true;
    return context;
  }

  private static ObservationRegistry observations(SimpleMeterRegistry meters) {
    ObservationRegistry registry = ObservationRegistry.create();
    registry
        .observationConfig()
        .observationHandler(new PacketStreamMeterObservationHandler(meters, true, true));
    return registry;
  }

  private static Observation start(
      PacketStreamObservationContext context, ObservationRegistry registry) {
    return PacketStreamObservationDocumentation.SERVER_REQUESTS
        .observation(null, DefaultPacketStreamObservationConvention.SERVER, () -> context, registry)
        .start();
  }

  private static Timer timer(SimpleMeterRegistry meters, String type, String error) {
    return meters
        .get("packetstream.server.requests")
        .tags("rq.type", type, "outcome", "SUCCESS", "error", error)
        .timer();
  }

  @Test
  void onTheSystemClockTheTimerRecordsWhatTheConnectionMeasured() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry registry = observations(meters);
    PacketStreamObservationContext context = context(new KeyValues[KeyValuesCache.SLOT_SIZE], 3);
    Observation o = start(context, registry);
    context.outcome(RequestOutcome.SUCCESS);
    context.duration(TimeUnit.MILLISECONDS.toNanos(7));
    o.stop();
    Timer timer = timer(meters, "3", "none");
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7.0);
  }

  @Test
  void onAnotherClockTheTimerReadsThatClock() {
    MockClock clock = new MockClock();
    SimpleMeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    ObservationRegistry registry = observations(meters);
    PacketStreamObservationContext context = context(new KeyValues[KeyValuesCache.SLOT_SIZE], 3);
    Observation o = start(context, registry);
    clock.add(Duration.ofSeconds(5));
    context.outcome(RequestOutcome.SUCCESS);
    context.duration(TimeUnit.MILLISECONDS.toNanos(7));
    o.stop();
    assertThat(timer(meters, "3", "none").totalTime(TimeUnit.SECONDS)).isEqualTo(5.0);
  }

  @Test
  void requestsOfAKindShareTheirMetersHoweverTheyAreFound() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry registry = observations(meters);
    // the first two share a slot (the same key values instances), the third has its own slot
    // with equal values, the fourth fails, the fifth is of another type (so another slot)
    KeyValues[] slot = new KeyValues[KeyValuesCache.SLOT_SIZE];
    KeyValues[][] slots = {
      slot,
      slot,
      new KeyValues[KeyValuesCache.SLOT_SIZE],
      slot,
      new KeyValues[KeyValuesCache.SLOT_SIZE]
    };
    long[] types = {3, 3, 3, 3, 4};
    for (int i = 0; i < slots.length; i++) {
      PacketStreamObservationContext context = context(slots[i], types[i]);
      Observation o = start(context, registry);
      assertThat(
              meters
                  .get("packetstream.server.requests.active")
                  .tags("rq.type", Long.toString(types[i]))
                  .longTaskTimer()
                  .activeTasks())
          .isEqualTo(1);
      if (i == 3) {
        o.error(new IllegalStateException("no"));
      }
      context.outcome(RequestOutcome.SUCCESS);
      context.duration(1000);
      o.stop();
    }
    assertThat(timer(meters, "3", "none").count()).isEqualTo(3);
    assertThat(timer(meters, "3", "IllegalStateException").count()).isEqualTo(1);
    assertThat(timer(meters, "4", "none").count()).isEqualTo(1);
    assertThat(meters.get("packetstream.server.requests").timers()).hasSize(3);
    assertThat(meters.get("packetstream.server.requests.active").longTaskTimers()).hasSize(2);
    assertThat(
            meters.get("packetstream.server.requests.active").longTaskTimers().stream()
                .mapToInt(t -> t.activeTasks()))
        .containsOnly(0);
  }
}
