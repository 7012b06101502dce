package io.packetstream.spring.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.observation.DefaultPacketStreamObservationConvention;
import io.packetstream.spring.observation.PacketStreamMeterObservationHandler;
import io.packetstream.spring.observation.PacketStreamObservations;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The observation auto-configuration: observations only with Micrometer's observation API, a
 * registry and observations enabled; the request meter handler only with a meter registry too,
 * leaving out the meters Boot's ignored-meters setting names; a convention or observations of the
 * application's own taking the place of the starter's.
 */
class PacketStreamObservationAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class,
                  PacketStreamAutoConfiguration.class,
                  PacketStreamObservationAutoConfiguration.class))
          .withUserConfiguration(Echo.class);

  /** With Boot's observation registry, which takes the application's handlers. */
  private final ApplicationContextRunner booted =
      runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class));

  @Test
  void noObservationsWithoutARegistry() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(PacketStreamObservationAutoConfigurationTests::hasNoObservations);
  }

  @Test
  void noObservationsWithoutMicrometersObservationApi() {
    runner
        .withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
        .run(PacketStreamObservationAutoConfigurationTests::hasNoObservations);
  }

  @Test
  void noObservationsWhenDisabled() {
    runner
        .withBean(ObservationRegistry.class, ObservationRegistry::create)
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("packetstream.observations.enabled=false")
        .run(PacketStreamObservationAutoConfigurationTests::hasNoObservations);
  }

  @Test
  void observationsWithoutMetersWhenThereIsNoMeterRegistry() {
    runner
        .withBean(ObservationRegistry.class, ObservationRegistry::create)
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(PacketStreamObservations.class)
                    .doesNotHaveBean(PacketStreamMeterObservationHandler.class));
  }

  @Test
  void withBothRegistriesEachRequestIsTimedAndCountedWhileItRuns() {
    booted
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(PacketStreamObservations.class)
                  .hasSingleBean(PacketStreamMeterObservationHandler.class);
              SimpleMeterRegistry meters = observeOneRequest(context);
              awaitTimed(meters, "packetstream.server.requests");
              assertThat(meters.find("packetstream.server.requests.active").longTaskTimer())
                  .isNotNull();
            });
  }

  @Test
  void bootsIgnoredMetersLeaveOutTheTimer() {
    booted
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("management.metrics.observations.ignored-meters= timer ")
        .run(
            context -> {
              SimpleMeterRegistry meters = observeOneRequest(context);
              LongTaskTimer active =
                  meters.find("packetstream.server.requests.active").longTaskTimer();
              assertThat(active).isNotNull();
              // the request's task ends as its observation stops, after the timer's turn
              await().atMost(Duration.ofSeconds(10)).until(() -> active.activeTasks() == 0);
              assertThat(meters.find("packetstream.server.requests").timer()).isNull();
            });
  }

  @Test
  void bootsIgnoredMetersLeaveOutTheLongTaskTimer() {
    booted
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("management.metrics.observations.ignored-meters=long-task-timer")
        .run(
            context -> {
              SimpleMeterRegistry meters = observeOneRequest(context);
              awaitTimed(meters, "packetstream.server.requests");
              assertThat(meters.find("packetstream.server.requests.active").longTaskTimer())
                  .isNull();
            });
  }

  /**
   * A request whose handler still runs when its connection ends is observed to its end: the core
   * reports that end after the close, and the observation must still stop, timing the request and
   * ending its long-task timer's task (the close used to drop it, leaving the task active for
   * good).
   */
  @Test
  void aHandlerThatOutlivesItsConnectionEndsItsObservation() {
    booted
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              SimpleMeterRegistry meters = context.getBean(SimpleMeterRegistry.class);
              Pair pair = Pair.open(context);
              pair.client().submit(2, 0, "hi".getBytes(StandardCharsets.UTF_8));
              assertThat(Echo.holding.await(10, TimeUnit.SECONDS)).isTrue();
              LongTaskTimer active =
                  meters.find("packetstream.server.requests.active").longTaskTimer();
              assertThat(active.activeTasks()).isEqualTo(1);

              pair.abort(); // the handler still runs
              Echo.release.countDown();

              await()
                  .atMost(Duration.ofSeconds(10))
                  .untilAsserted(() -> assertThat(active.activeTasks()).isZero());
              awaitTimed(meters, "packetstream.server.requests");
            });
  }

  @Test
  void theApplicationsConventionNamesTheObservations() {
    booted
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(Renamed.class, Renamed::new)
        .run(
            context -> {
              SimpleMeterRegistry meters = observeOneRequest(context);
              awaitTimed(meters, "shop.requests");
              assertThat(meters.find("packetstream.server.requests").timer()).isNull();
            });
  }

  @Test
  void theApplicationsOwnBeansTakeTheStartersPlace() {
    runner
        .withBean(ObservationRegistry.class, ObservationRegistry::create)
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withUserConfiguration(OwnBeans.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(PacketStreamObservations.class);
              assertThat(context.getBean(PacketStreamObservations.class))
                  .isSameAs(context.getBean(OwnBeans.class).observations);
              assertThat(context).hasSingleBean(PacketStreamMeterObservationHandler.class);
              assertThat(context.getBean(PacketStreamMeterObservationHandler.class))
                  .isSameAs(context.getBean(OwnBeans.class).handler);
            });
  }

  /** The context started without observations or their meter handler. */
  private static void hasNoObservations(AssertableApplicationContext context) {
    assertThat(context)
        .hasNotFailed()
        .doesNotHaveBean(PacketStreamObservations.class)
        .doesNotHaveBean(PacketStreamMeterObservationHandler.class);
  }

  /** A server connection made by the starter's builders and a plain client, over pipes. */
  private record Pair(PacketConnection server, PacketConnection client) {
    static Pair open(AssertableApplicationContext context) throws Exception {
      Pipe toServer = Pipe.open();
      Pipe toClient = Pipe.open();
      PacketConnection server =
          context
              .getBean(PacketConnectionBuilders.class)
              .builder(ConnectionRole.SERVER, "s")
              .open(toServer.source(), toClient.sink());
      return new Pair(
          server, PacketConnection.builder().name("c").open(toClient.source(), toServer.sink()));
    }

    void abort() {
      client.abort();
      server.abort();
    }
  }

  /**
   * Sends one request to a server connection made by the starter's builders and returns the meters;
   * the server stops the request's observation just after its answer, so wait for what it records.
   */
  private static SimpleMeterRegistry observeOneRequest(AssertableApplicationContext context)
      throws Exception {
    Pair pair = Pair.open(context);
    try {
      assertThat(pair.client().call(1, 0, "hi".getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(Response.ok("hi".getBytes(StandardCharsets.UTF_8)));
    } finally {
      pair.abort();
    }
    return context.getBean(SimpleMeterRegistry.class);
  }

  /** Waits until the timers named {@code name} have recorded one request, whatever their tags. */
  private static void awaitTimed(SimpleMeterRegistry meters, String name) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> meters.find(name).timers().stream().mapToLong(t -> t.count()).sum() == 1);
  }

  static class Echo {
    static final CountDownLatch holding = new CountDownLatch(1);
    static final CountDownLatch release = new CountDownLatch(1);

    @PacketHandler(1)
    String echo(String s) {
      return s;
    }

    @PacketHandler(2)
    String hold(String s) throws InterruptedException {
      holding.countDown();
      release.await(30, TimeUnit.SECONDS);
      return s;
    }
  }

  static class Renamed extends DefaultPacketStreamObservationConvention {
    Renamed() {
      super("shop.requests");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    final PacketStreamObservations observations;
    final PacketStreamMeterObservationHandler handler;

    OwnBeans(ObservationRegistry registry, PacketHandlers handlers, SimpleMeterRegistry meters) {
      this.observations = new PacketStreamObservations(registry, null, handlers);
      this.handler = new PacketStreamMeterObservationHandler(meters, false, false);
    }

    @Bean
    PacketStreamObservations ownObservations() {
      return observations;
    }

    @Bean
    PacketStreamMeterObservationHandler ownMeterHandler() {
      return handler;
    }
  }
}
