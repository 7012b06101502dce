package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code spring.threads.virtual.enabled=true} runs handlers on Spring's virtual-thread executor
 * where the JVM has virtual threads (21+); on Java 17 it cannot, and handlers stay on the core's
 * platform-thread pool. Set to false it means platform threads, on every JVM; unset, the core
 * chooses.
 */
class VirtualThreadsTest {

  /** Answers with a description of the thread it runs on. */
  static class WhichThread {
    static final long TYPE = 4711;

    @PacketHandler(WhichThread.TYPE)
    String thread() {
      Thread t = Thread.currentThread();
      return t.getName() + (t.toString().startsWith("VirtualThread") ? " virtual" : " platform");
    }
  }

  private static String handlerThread(Boolean virtualThreadsEnabled) throws Exception {
    try (ConfigurableApplicationContext context =
            new SpringApplicationBuilder(TestApplication.class, WhichThread.class)
                .web(WebApplicationType.NONE)
                .properties(
                    "packetstream.server.port=0",
                    "packetstream.server.address=127.0.0.1",
                    "spring.main.banner-mode=off",
                    virtualThreadsEnabled == null
                        ? "spring.main.lazy-initialization=false"
                        : "spring.threads.virtual.enabled=" + virtualThreadsEnabled)
                .run();
        PacketConnection client =
            PacketClient.connect(
                "127.0.0.1",
                context.getBean(PacketStreamServer.class).port(),
                PacketConnection.builder())) {
      Response r = client.call(WhichThread.TYPE, 0, new byte[0]);
      assertThat(r.ok()).isTrue();
      return new String(r.payload(), UTF_8);
    }
  }

  @Test
  void virtualThreadsWhenEnabledAndTheJvmHasThem() throws Exception {
    String thread = handlerThread(true);
    if (Runtime.version().feature() >= 21) {
      assertThat(thread).startsWith("packetstream-handler-").endsWith(" virtual");
    } else {
      assertThat(thread).endsWith(" platform");
    }
  }

  @Test
  void platformThreadsWhenDisabled() throws Exception {
    assertThat(handlerThread(false)).startsWith("packetstream-handler-").endsWith(" platform");
  }

  @Test
  void theCoreDefaultWhenUnset() throws Exception {
    String thread = handlerThread(null);
    if (Runtime.version().feature() >= 21) {
      // the core's own virtual threads, unnamed: not Spring's executor
      assertThat(thread).isEqualTo(" virtual");
    } else {
      assertThat(thread).startsWith("packetstream-handler-").endsWith(" platform");
    }
  }
}
