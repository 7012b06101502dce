package io.packetstream.spring.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.core.Ordered;

/**
 * The meters of request observations, as Micrometer's {@code DefaultMeterObservationHandler} makes
 * them (a timer named as the observation, tagged with its low-cardinality keys and {@code error},
 * and a long-task timer {@code NAME.active} tagged with the keys known at start), but with each
 * meter looked up once per set of key values instead of built and registered for every request, the
 * work that otherwise costs a request most. Boot asks its meter observation handlers in order and
 * uses the first that supports a context: this one supports only {@link
 * PacketStreamObservationContext}s and comes before Boot's default, which keeps every other
 * observation.
 */
public final class PacketStreamMeterObservationHandler
    implements MeterObservationHandler<PacketStreamObservationContext>, Ordered {

  private record TimerKey(String name, KeyValues keyValues, String error) {}

  private record LongTaskKey(String name, KeyValues keyValues) {}

  private final MeterRegistry registry;
  private final Clock clock;
  private final boolean timers;
  private final boolean longTaskTimers;
  private final Map<TimerKey, Timer> timerCache = new ConcurrentHashMap<>();
  private final Map<LongTaskKey, LongTaskTimer> longTaskCache = new ConcurrentHashMap<>();

  /**
   * Meters in {@code registry}; {@code timers} and {@code longTaskTimers} false leave those out, as
   * Boot's {@code management.metrics.observations.ignored-meters} does.
   */
  public PacketStreamMeterObservationHandler(
      MeterRegistry registry, boolean timers, boolean longTaskTimers) {
    this.registry = registry;
    this.clock = registry.config().clock();
    this.timers = timers;
    this.longTaskTimers = longTaskTimers;
  }

  @Override
  public boolean supportsContext(Observation.Context context) {
    return context instanceof PacketStreamObservationContext;
  }

  /** Just before Boot's default meter handler, which has no order; after any ordered one. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 1;
  }

  @Override
  public void onStart(PacketStreamObservationContext context) {
    if (longTaskTimers) {
      KeyValues keyValues = context.getLowCardinalityKeyValues();
      LongTaskKey key = new LongTaskKey(context.getName(), keyValues);
      LongTaskTimer timer = longTaskCache.get(key);
      if (timer == null) {
        timer =
            longTaskCache.computeIfAbsent(
                key,
                k ->
                    LongTaskTimer.builder(k.name() + ".active")
                        .tags(tags(k.keyValues(), null))
                        .register(registry));
      }
      context.meterSample = timer.start();
    }
    if (timers) {
      context.meterStartNanos = clock.monotonicTime();
    }
  }

  @Override
  public void onStop(PacketStreamObservationContext context) {
    if (timers) {
      Throwable error = context.getError();
      TimerKey key =
          new TimerKey(
              context.getName(),
              context.getLowCardinalityKeyValues(),
              error == null ? "none" : error.getClass().getSimpleName());
      Timer timer = timerCache.get(key);
      if (timer == null) {
        timer =
            timerCache.computeIfAbsent(
                key,
                k ->
                    Timer.builder(k.name())
                        .tags(tags(k.keyValues(), k.error()))
                        .register(registry));
      }
      timer.record(clock.monotonicTime() - context.meterStartNanos, TimeUnit.NANOSECONDS);
    }
    if (context.meterSample instanceof LongTaskTimer.Sample sample) {
      sample.stop();
    }
  }

  @Override
  public void onEvent(Observation.Event event, PacketStreamObservationContext context) {
    registry
        .counter(
            context.getName() + "." + event.getName(),
            tags(context.getLowCardinalityKeyValues(), null))
        .increment();
  }

  private static Tags tags(KeyValues keyValues, String error) {
    List<Tag> tags = new ArrayList<>();
    for (KeyValue kv : keyValues) {
      tags.add(Tag.of(kv.getKey(), kv.getValue()));
    }
    if (error != null) {
      tags.add(Tag.of("error", error));
    }
    return Tags.of(tags);
  }
}
