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
 *
 * <p>On the system clock the timer records the duration the connection measured for the request
 * (the same span, from its start to its answer) rather than reading the clock twice more; with
 * another clock, such as a test's {@code MockClock}, it reads that clock at start and stop.
 */
public final class PacketStreamMeterObservationHandler
    implements MeterObservationHandler<PacketStreamObservationContext>, Ordered {

  private record TimerKey(String name, KeyValues keyValues, String error) {}

  private record LongTaskKey(String name, KeyValues keyValues) {}

  private final MeterRegistry registry;
  private final Clock clock;
  private final boolean systemClock;
  private final boolean timers;
  private final boolean longTaskTimers;
  private final Map<TimerKey, Timer> timerCache = new ConcurrentHashMap<>();
  private final Map<LongTaskKey, LongTaskTimer> longTaskCache = new ConcurrentHashMap<>();
  private final Recent<Timer> recentTimers = new Recent<>();
  private final Recent<LongTaskTimer> recentLongTaskTimers = new Recent<>();

  /**
   * Meters in {@code registry}; {@code timers} and {@code longTaskTimers} false leave those out, as
   * Boot's {@code management.metrics.observations.ignored-meters} does.
   */
  public PacketStreamMeterObservationHandler(
      MeterRegistry registry, boolean timers, boolean longTaskTimers) {
    this.registry = registry;
    this.clock = registry.config().clock();
    this.systemClock = clock == Clock.SYSTEM;
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
      context.meterSample = longTaskTimer(context).start();
    }
    if (timers && !(systemClock && context.timedByConnection)) {
      context.meterStartNanos = clock.monotonicTime();
    }
  }

  @Override
  public void onStop(PacketStreamObservationContext context) {
    if (timers) {
      // -1 (stopped before the connection said how long): Micrometer records no negative time
      long nanos =
          systemClock && context.timedByConnection
              ? context.durationNanos
              : clock.monotonicTime() - context.meterStartNanos;
      timer(context).record(nanos, TimeUnit.NANOSECONDS);
    }
    if (context.meterSample instanceof LongTaskTimer.Sample sample) {
      sample.stop();
    }
  }

  private LongTaskTimer longTaskTimer(PacketStreamObservationContext context) {
    String name = context.getName();
    KeyValues keyValues = context.getLowCardinalityKeyValues();
    LongTaskTimer timer = recentLongTaskTimers.get(name, keyValues, null);
    if (timer == null) {
      timer =
          longTaskCache.computeIfAbsent(
              new LongTaskKey(name, keyValues),
              k ->
                  LongTaskTimer.builder(k.name() + ".active")
                      .tags(tags(k.keyValues(), null))
                      .register(registry));
      recentLongTaskTimers.put(name, keyValues, null, timer);
    }
    return timer;
  }

  private Timer timer(PacketStreamObservationContext context) {
    String name = context.getName();
    KeyValues keyValues = context.getLowCardinalityKeyValues();
    Throwable error = context.getError();
    Class<?> errorType = error == null ? null : error.getClass();
    Timer timer = recentTimers.get(name, keyValues, errorType);
    if (timer == null) {
      timer =
          timerCache.computeIfAbsent(
              new TimerKey(name, keyValues, errorType == null ? "none" : errorType.getSimpleName()),
              k -> Timer.builder(k.name()).tags(tags(k.keyValues(), k.error())).register(registry));
      recentTimers.put(name, keyValues, errorType, timer);
    }
    return timer;
  }

  @Override
  public void onEvent(Observation.Event event, PacketStreamObservationContext context) {
    registry
        .counter(
            context.getName() + "." + event.getName(),
            tags(context.getLowCardinalityKeyValues(), null))
        .increment();
  }

  /**
   * The meters of the key values instances seen last, found by identity: the default convention
   * gives every request of a kind the same instance, so a request finds its meter without hashing
   * its keys and values. A miss (a convention or filter that made new values, a slot another kind
   * took) goes to the maps by value. Entries are immutable and replace one another, so a thread
   * that sees a stale slot or none only takes the slower way.
   */
  private static final class Recent<M> {

    private record Entry<M>(String name, KeyValues keyValues, Class<?> error, M meter) {}

    private static final int SIZE = 64;

    private final Object[] entries = new Object[SIZE];

    private static int index(KeyValues keyValues, Class<?> error) {
      int h = System.identityHashCode(keyValues) * 31 + System.identityHashCode(error);
      return (h ^ (h >>> 16)) & (SIZE - 1);
    }

    @SuppressWarnings("unchecked")
    M get(String name, KeyValues keyValues, Class<?> error) {
      if (entries[index(keyValues, error)] instanceof Entry<?> e
          && e.keyValues() == keyValues
          && e.error() == error
          && e.name() == name) {
        return (M) e.meter();
      }
      return null;
    }

    void put(String name, KeyValues keyValues, Class<?> error, M meter) {
      entries[index(keyValues, error)] = new Entry<>(name, keyValues, error, meter);
    }
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
