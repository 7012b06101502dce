package io.packetstream.spring.bench;

import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketReply;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The rr load's reverse handler (CONFORMANCE.md section 2) as a {@code @PacketHandler} method in a
 * Spring Boot application with the starter, so that {@code packetstream.jar rr-client} can measure
 * it against {@code packetstream.jar rr-server}, whose handler is a plain core lambda. Both answer
 * on the connection's reader thread (a direct executor), so the difference is the starter's own
 * work per request: routing, argument resolution, result mapping and meters. {@code
 * bench/starter-overhead.sh} runs the comparison.
 *
 * <pre>
 * java -cp ... io.packetstream.spring.bench.SpringRrServer --packetstream.server.port=P
 *     [--packetstream.metrics.enabled=false]
 * </pre>
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(SpringRrServer.Reverser.class)
public class SpringRrServer {

  /** Answers type 0 with the payload reversed and the flags rr-server answers with. */
  public static class Reverser {

    /** rr-server's answer flags (ConformanceHandler.REVERSE_FLAGS). */
    static final long REVERSE_FLAGS = 0x11;

    @PacketHandler(0)
    PacketReply reverse(byte[] payload) {
      return new PacketReply(REVERSE_FLAGS, HandlerOverheadBenchmark.reverse(payload));
    }
  }

  /** Runs handlers on the reader thread, as rr-server does. */
  @Bean
  PacketConnectionCustomizer directExecutor() {
    return (builder, role, name) -> builder.executor(Runnable::run);
  }

  public static void main(String[] args) {
    new SpringApplicationBuilder(SpringRrServer.class)
        .web(WebApplicationType.NONE)
        .properties(
            "packetstream.server.address=127.0.0.1",
            "spring.main.banner-mode=off",
            "logging.level.root=WARN")
        .run(args);
  }
}
