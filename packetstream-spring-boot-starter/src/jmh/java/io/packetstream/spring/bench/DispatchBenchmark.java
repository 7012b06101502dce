package io.packetstream.spring.bench;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlers;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * The cost of one request through the starter's router (table lookup, argument resolution, method
 * handle call, result mapping) next to a plain core handler doing the same work, without the
 * network: nanoseconds per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DispatchBenchmark {

  /** Handlers of several kinds, so the router's table is not trivially small. */
  public static class Handlers {
    @PacketHandler(0)
    byte[] reverse(byte[] payload) {
      return HandlerOverheadBenchmark.reverse(payload);
    }

    @PacketHandler(1)
    String text(String s) {
      return s;
    }

    @PacketHandler(7)
    long flags(@PacketFlags long f) {
      return f;
    }
  }

  private RequestHandler plain;
  private RequestHandler routed;
  private Request request;

  @Setup
  public void setUp() {
    plain = rq -> Response.ok(HandlerOverheadBenchmark.reverse(rq.payload()));
    PacketHandlers handlers =
        new PacketHandlers(
            new DefaultListableBeanFactory()
                .getBeanProvider(io.packetstream.spring.handler.PayloadCodec.class));
    handlers.postProcessAfterInitialization(new Handlers(), "handlers");
    routed = handlers.byChannel().get(0L);
    PacketConnection connection =
        PacketConnection.builder()
            .open(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream());
    request = new Request(connection, 0, 2, 0, 0, new byte[64]);
  }

  @Benchmark
  public Reply plainHandler() throws Exception {
    return plain.handle(request);
  }

  @Benchmark
  public Reply packetHandlerMethod() throws Exception {
    return routed.handle(request);
  }
}
