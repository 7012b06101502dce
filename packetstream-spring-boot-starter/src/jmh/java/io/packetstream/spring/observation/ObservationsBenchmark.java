package io.packetstream.spring.observation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.spring.context.ConnectionRole;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What observing one inbound request costs, in nanoseconds, without the network: the listener's
 * start and stop as the core calls them, with the request's scope opened and closed between them as
 * a {@code @PacketHandler} call does, in a Spring Boot application's own observation registry
 * (Actuator's meter handlers, Boot's predicate and filter). Beside it, what the same timer costs
 * recorded directly, without an observation. {@code bench/README.md} ("What the starter costs")
 * puts these beside the core handler's whole request.
 *
 * <p>{@code config}: {@code boot} as Boot configures it; {@code no-long-task-timers} with {@code
 * management.metrics.observations.ignored-meters=long-task-timer}; {@code disabled} with {@code
 * management.observations.enable.packetstream=false} (Boot's predicate turns every one off).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ObservationsBenchmark {

  /** An application with no handlers and no server: its registries are what is measured. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  public static class Application {}

  private static final PacketStreamObservations.RequestTypes ALL_KNOWN =
      new PacketStreamObservations.RequestTypes() {
        @Override
        public boolean known(long channel, long rqType) {
          return true;
        }

        @Override
        public boolean knownChannel(long channel) {
          return true;
        }
      };

  @Param({"boot", "no-long-task-timers", "disabled"})
  public String config;

  private ConfigurableApplicationContext context;
  private ObservationRegistry registry;
  private ObservingListener listener;
  private Running running;
  private PacketConnection connection;
  private Timer timer;
  private long tag;

  @Setup(Level.Trial)
  public void start() {
    String property =
        switch (config) {
          case "boot" -> "packetstream.observations.enabled=true";
          case "no-long-task-timers" ->
              "management.metrics.observations.ignored-meters=long-task-timer";
          case "disabled" -> "management.observations.enable.packetstream=false";
          default -> throw new IllegalArgumentException(config);
        };
    context =
        new SpringApplicationBuilder(Application.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "logging.level.root=WARN", property)
            .run();
    registry = context.getBean(ObservationRegistry.class);
    running = new Running();
    listener =
        new ObservingListener(
            registry, null, ConnectionRole.SERVER, "bench", ALL_KNOWN, null, running);
    connection =
        PacketConnection.builder()
            .open(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream());
    timer =
        Timer.builder("bench.requests")
            .tags("rq.type", "0", "channel", "0", "outcome", "SUCCESS", "error", "none")
            .register(context.getBean(MeterRegistry.class));
  }

  @TearDown(Level.Trial)
  public void stop() {
    connection.close();
    context.close();
  }

  /** The observed request: started, made current for its handler, stopped as answered ok. */
  @Benchmark
  public void observedRequest() {
    long t = ++tag;
    listener.requestStarted(connection, Direction.INBOUND, 0, t, 0);
    Observation o = running.get(connection, Direction.INBOUND, 0, t);
    if (o != null) {
      o.openScope().close();
    }
    listener.requestFinished(connection, Direction.INBOUND, 0, t, 0, Outcome.OK, 12_345);
  }

  /** The same without the scope, to tell what making the observation current costs. */
  @Benchmark
  public void observedRequestWithoutScope() {
    long t = ++tag;
    listener.requestStarted(connection, Direction.INBOUND, 0, t, 0);
    listener.requestFinished(connection, Direction.INBOUND, 0, t, 0, Outcome.OK, 12_345);
  }

  /**
   * A plain Micrometer observation of the same shape, as any instrumented library makes one (Boot's
   * default meter handler, five low-cardinality key values, a scope): the cost of the API itself.
   */
  @Benchmark
  public void plainObservation() {
    Observation o =
        Observation.createNotStarted("bench.plain", Observation.Context::new, registry)
            .lowCardinalityKeyValue("role", "server")
            .lowCardinalityKeyValue("name", "bench")
            .lowCardinalityKeyValue("channel", "0")
            .lowCardinalityKeyValue("rq.type", "0")
            .lowCardinalityKeyValue("outcome", "SUCCESS")
            .start();
    o.openScope().close();
    o.stop();
  }

  /** The timer alone, recorded directly: what a request's meter costs without an observation. */
  @Benchmark
  public void timerOnly() {
    timer.record(12_345, TimeUnit.NANOSECONDS);
  }
}
