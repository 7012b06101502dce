package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerInterceptor;
import io.packetstream.spring.handler.PacketHandlerMethod;
import io.packetstream.transport.PacketClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * Handlers whose answers have not come when their connection ends (a {@code Mono} that never
 * completes, a future not completed yet) end with it: the request's observation stops as {@code
 * CLOSED}, so that no long-task timer keeps counting it; interceptors hear {@code afterCompletion};
 * a Mono's subscription is cancelled, but the method's own future, which others may share, is left
 * alone. They used to stay running for ever.
 */
@SpringBootTest(
    classes = UnansweredAtEndTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "packetstream.close-timeout=300ms"
    })
class UnansweredAtEndTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  static final CountDownLatch started = new CountDownLatch(2);
  static final CountDownLatch monoCancelled = new CountDownLatch(1);
  static final CompletableFuture<String> forgotten = new CompletableFuture<>();
  static final List<String> completions = new CopyOnWriteArrayList<>();

  static class NeverHandlers {

    @PacketHandler(1)
    Mono<String> never() {
      started.countDown();
      return Mono.<String>never().doOnCancel(monoCancelled::countDown);
    }

    @PacketHandler(2)
    CompletableFuture<String> forgotten() {
      started.countDown();
      return forgotten;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    NeverHandlers neverHandlers() {
      return new NeverHandlers();
    }

    @Bean
    PacketHandlerInterceptor completions() {
      return new PacketHandlerInterceptor() {
        @Override
        public void afterCompletion(
            Request request,
            PacketHandlerMethod handler,
            @Nullable Response answer,
            @Nullable Throwable failure) {
          completions.add(request.rqType() + ":" + (failure == null ? "none" : "failed"));
        }
      };
    }
  }

  @Autowired PacketStreamServer server;

  @Autowired MeterRegistry meters;

  @Test
  void answersThatNeverComeEndWithTheConnection() throws Exception {
    PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    client.submit(1, 0, new byte[0]);
    client.submit(2, 0, new byte[0]);
    assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(active()).isEqualTo(2);

    client.abort(); // the peer goes; the server's side drains for close-timeout, then ends

    assertThat(monoCancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the Mono's subscription is cancelled")
        .isTrue();
    await().atMost(WAIT).until(() -> active() == 0);
    await().atMost(WAIT).until(() -> completions.size() == 2);
    assertThat(completions).containsExactlyInAnyOrder("1:failed", "2:failed");
    // the method's own future may be shared (a cache's): it is left alone, and what it gives at
    // last is dropped
    assertThat(forgotten).isNotDone();
    forgotten.complete("late");
    assertThat(completions).hasSize(2);
    assertThat(
            meters.get("packetstream.server.requests").tag("outcome", "CLOSED").timers().stream()
                .mapToLong(Timer::count)
                .sum())
        .isEqualTo(2);
  }

  private long active() {
    return meters.get("packetstream.server.requests.active").longTaskTimers().stream()
        .mapToLong(LongTaskTimer::activeTasks)
        .sum();
  }
}
