package io.packetstream.bench;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Two connections talking over a pair of in-memory pipes, no sockets: what the connection's
 * threads, queues and codec cost per request. One end serves the rr load's reverse handler on its
 * reader thread; the other asks, one request at a time or 64 in flight.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConnectionBenchmark {

  static final int WINDOW = 64;

  @Param({"32", "4096"})
  int payloadBytes;

  private Pipe toServer;
  private Pipe toClient;
  private PacketConnection server;
  private PacketConnection client;
  private byte[] payload;
  private final CompletableFuture<?>[] window = new CompletableFuture<?>[WINDOW];

  @Setup(Level.Trial)
  public void open() throws IOException {
    toServer = Pipe.open();
    toClient = Pipe.open();
    server =
        PacketConnection.builder()
            .handler(request -> Response.ok(reverse(request.payload())))
            .executor(Runnable::run)
            .open(toServer.source(), toClient.sink());
    client = PacketConnection.builder().open(toClient.source(), toServer.sink());
    payload = new byte[payloadBytes];
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    client.abort();
    server.abort();
    for (Pipe p : new Pipe[] {toServer, toClient}) {
      p.source().close();
      p.sink().close();
    }
  }

  /** One request, then wait for its answer: a full round trip through both connections. */
  @Benchmark
  public Response roundTrip() throws Exception {
    return client.submit(0, 0, payload).get(10, TimeUnit.SECONDS);
  }

  /** 64 requests sent before any answer is awaited: what batching buys. */
  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public Object window64() throws Exception {
    for (int i = 0; i < WINDOW; i++) {
      window[i] = client.submit(0, 0, payload);
    }
    return CompletableFuture.allOf(window).get(10, TimeUnit.SECONDS);
  }

  static byte[] reverse(byte[] p) {
    byte[] r = new byte[p.length];
    for (int i = 0; i < p.length; i++) {
      r[i] = p[p.length - 1 - i];
    }
    return r;
  }
}
