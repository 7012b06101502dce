package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application whose only server is packetstream's keeps running after {@code main} returns, as
 * one with a web server does, and lets the JVM exit once it is closed.
 */
class ServerKeepAliveTest {

  /** The threads that keep the JVM alive for this test's server (other tests' may run too). */
  private static List<Thread> awaitThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("packetstream-server-await-keep-alive-test"))
        .filter(Thread::isAlive)
        .toList();
  }

  @Test
  void aNonDaemonThreadLivesExactlyAsLongAsTheServer() throws Exception {
    assertThat(awaitThreads()).isEmpty();
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TestApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.server.port=0",
                "packetstream.server.address=127.0.0.1",
                "packetstream.server.name=keep-alive-test",
                "spring.main.banner-mode=off")
            .run();
    List<Thread> running;
    try {
      running = awaitThreads();
      assertThat(running).hasSize(1);
      assertThat(running.get(0).isDaemon()).isFalse();
    } finally {
      context.close();
    }
    running.get(0).join(10_000);
    assertThat(running.get(0).isAlive()).isFalse();
  }
}
