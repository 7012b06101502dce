package io.packetstream.spring.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.handler.PacketHandler;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A request whose handler still runs when its connection ends is observed to its end: the core
 * reports that end after the connection's close, and the observation must still be stopped, its
 * timer recorded and its long-task timer's task ended (before, the close dropped the running
 * observation, leaving the task active for good and the request untimed).
 */
class ObservationOfARequestRunningAtCloseTest {

  static final CountDownLatch started = new CountDownLatch(1);
  static final CountDownLatch release = new CountDownLatch(1);

  static class Held {
    @PacketHandler(1)
    String hold(String s) throws InterruptedException {
      started.countDown();
      release.await(30, TimeUnit.SECONDS);
      return s;
    }
  }

  @Test
  void theHandlerThatOutlivesItsConnectionEndsItsObservation() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                JacksonAutoConfiguration.class,
                PacketStreamAutoConfiguration.class,
                PacketStreamObservationAutoConfiguration.class,
                ObservationAutoConfiguration.class))
        .withUserConfiguration(Held.class)
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              SimpleMeterRegistry meters = context.getBean(SimpleMeterRegistry.class);
              Pipe toServer = Pipe.open();
              Pipe toClient = Pipe.open();
              PacketConnection server =
                  context
                      .getBean(PacketConnectionBuilders.class)
                      .builder(ConnectionRole.SERVER, "s")
                      .open(toServer.source(), toClient.sink());
              PacketConnection client =
                  PacketConnection.builder().name("c").open(toClient.source(), toServer.sink());
              client.submit(1, 0, "\"hi\"".getBytes(java.nio.charset.StandardCharsets.UTF_8));
              assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
              LongTaskTimer active =
                  meters.find("packetstream.server.requests.active").longTaskTimer();
              assertThat(active.activeTasks()).isEqualTo(1);

              server.abort(); // the handler still runs
              client.abort();
              release.countDown();

              await()
                  .atMost(Duration.ofSeconds(10))
                  .untilAsserted(
                      () -> {
                        assertThat(active.activeTasks()).isZero();
                        assertThat(
                                meters.find("packetstream.server.requests").timers().stream()
                                    .mapToLong(t -> t.count())
                                    .sum())
                            .isEqualTo(1);
                      });
            });
  }
}
