package io.packetstream.spring.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.metrics.PacketStreamMetrics;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Semaphore;
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
import org.springframework.context.annotation.Import;

/**
 * Requests per second through a reverse handler over loopback TCP with 256 requests in flight: once
 * served by a plain core {@code RequestHandler} on a bare {@link PacketServer}, once by a
 * {@code @PacketHandler} method in a Spring Boot application with the starter's meters on. The
 * difference is what routing, argument resolution, result mapping and meters cost.
 *
 * <pre>
 * mvn -q -pl packetstream-spring-boot-starter -Pjmh test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/jmh.cp -Dmdep.includeScope=test
 * java -cp packetstream-spring-boot-starter/target/test-classes:packetstream-spring-boot-starter/target/classes:$(cat packetstream-spring-boot-starter/target/jmh.cp) \
 *     org.openjdk.jmh.Main HandlerOverheadBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 6, time = 5)
public class HandlerOverheadBenchmark {

  /** The Spring side: one reverse method. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Reverser.class)
  public static class BenchApplication {}

  /** Reverses the payload, as the rr load's reverse handler does. */
  public static class Reverser {
    @PacketHandler(0)
    byte[] reverse(byte[] payload) {
      return HandlerOverheadBenchmark.reverse(payload);
    }
  }

  /**
   * core: a plain handler on a bare server; core-metered: the same with the starter's meters;
   * spring: a @PacketHandler method in Boot with meters; spring-unmetered: without meters.
   */
  @Param({"core", "spring"})
  public String server;

  @Param("256")
  public int window;

  @Param("64")
  public int payloadSize;

  private PacketServer coreServer;
  private ConfigurableApplicationContext context;
  private PacketConnection client;
  private Semaphore permits;
  private byte[] payload;

  static byte[] reverse(byte[] in) {
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = in[in.length - 1 - i];
    }
    return out;
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    int port;
    if (server.startsWith("core")) {
      PacketConnection.Builder builder =
          PacketConnection.builder().handler(rq -> Response.ok(reverse(rq.payload())));
      if (server.equals("core-metered")) {
        new PacketStreamMetrics(new SimpleMeterRegistry(), 100)
            .customize(builder, ConnectionRole.SERVER, "bench");
      }
      coreServer = PacketServer.builder(builder).bind(new InetSocketAddress("127.0.0.1", 0));
      port = coreServer.port();
    } else {
      boolean metered = server.equals("spring");
      context =
          new SpringApplicationBuilder(BenchApplication.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "packetstream.server.port=0",
                  "packetstream.server.address=127.0.0.1",
                  "packetstream.metrics.enabled=" + metered,
                  "spring.main.banner-mode=off",
                  "logging.level.root=WARN")
              .run();
      if (metered
          != context.getBeanProvider(PacketStreamMetrics.class).stream().findAny().isPresent()) {
        throw new IllegalStateException("meters should be " + (metered ? "on" : "off"));
      }
      port = context.getBean(PacketStreamServer.class).port();
    }
    client = PacketClient.connect("127.0.0.1", port, PacketConnection.builder());
    permits = new Semaphore(window);
    payload = new byte[payloadSize];
  }

  @Benchmark
  public void request() throws InterruptedException {
    permits.acquire();
    client
        .submit(0, 0, payload)
        .whenComplete(
            (r, e) -> {
              if (e != null || !r.ok()) {
                throw new IllegalStateException("request failed: " + r, e);
              }
              permits.release();
            });
  }

  @TearDown(Level.Iteration)
  public void drain() throws InterruptedException {
    permits.acquire(window);
    permits.release(window);
  }

  @TearDown(Level.Trial)
  public void stop() {
    client.close();
    if (coreServer != null) {
      coreServer.close();
    }
    if (context != null) {
      context.close();
    }
  }
}
