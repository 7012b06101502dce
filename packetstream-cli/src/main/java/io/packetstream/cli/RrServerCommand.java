package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rr-server}: the server side of the rr load (CONFORMANCE.md section 2), the reverse handler
 * (type 0) and nothing else, on every connection.
 *
 * <p>The handler is a {@link io.packetstream.connection.BufferHandler}: it reverses the payload
 * from the read buffer straight into the answer, with no object allocated per request, so that the
 * server's heap (and its resident memory) stays small under any load. It runs on the connection's
 * reader thread (a direct executor): reversing 32 bytes takes far less than handing the request to
 * another thread would, and it never blocks. The gRPC anchor serves the same load with {@code
 * directExecutor()} for the same reason.
 *
 * <p>For runs against misbehaving peers ({@code hostile}) it takes the limits a server facing
 * untrusted peers sets ({@link ServerLimits}: idle and read timeouts, most connections, longest
 * frame) and, with {@code --heap-requests}, answers request type 1 with its heap in use after a GC
 * and its connections open.
 */
@Command(
    name = "rr-server",
    mixinStandardHelpOptions = true,
    description = "Serve the rr load's reverse handler (type 0) until killed.")
final class RrServerCommand implements Callable<Integer> {

  /** The request type that {@code --heap-requests} answers with the server's heap in use. */
  static final long HEAP_TYPE = 1;

  /** The longest payload {@link #reverse} reverses through its scratch arrays. */
  private static final int MAX_SCRATCH = 64 * 1024;

  private static final ThreadLocal<byte[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[][] {new byte[MAX_SCRATCH], new byte[MAX_SCRATCH]});

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  @Mixin Endpoint endpoint;

  @Mixin ServerLimits limits;

  @Option(
      names = "--request-handler",
      hidden = true,
      description =
          "Serve with a RequestHandler (a request and a response object per request) "
              + "instead of the BufferHandler, to compare the two or to compare with the starter.")
  boolean requestHandler;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PacketServer server = start(endpoint, requestHandler, limits);
    return ServerRunner.runUntilStopped("rr-server", server, spec.commandLine().getErr());
  }

  /** Answers type 0 with the payload reversed, straight from and into the connection's buffers. */
  static long reverse(long rqType, long flags, ByteBuffer payload, ByteBuffer answer) {
    if (rqType != 0) {
      throw new RequestFailedException(
          Response.failure("rr-server serves only type 0 (reverse), not type " + rqType));
    }
    int n = payload.remaining();
    if (answer.hasArray()) {
      // one bulk copy out of the (direct) read buffer, then a reversal in place
      byte[] a = answer.array();
      int from = answer.arrayOffset() + answer.position();
      payload.get(a, from, n);
      for (int i = from, j = from + n - 1; i < j; i++, j--) {
        byte t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      answer.position(answer.position() + n);
    } else if (n <= MAX_SCRATCH) {
      // a direct answer buffer: bulk copies through two arrays of this thread's, reversed between
      // them eight bytes at a time, cost a third of eight-byte buffer accesses at 4 KiB
      byte[][] scratch = SCRATCH.get();
      byte[] src = scratch[0];
      byte[] dst = scratch[1];
      payload.get(src, 0, n);
      int i = n;
      int j = 0;
      for (; i >= Long.BYTES; i -= Long.BYTES, j += Long.BYTES) {
        LONGS.set(dst, j, Long.reverseBytes((long) LONGS.get(src, i - Long.BYTES)));
      }
      while (i > 0) {
        dst[j++] = src[--i];
      }
      answer.put(dst, 0, n);
    } else {
      for (int i = payload.limit() - 1; i >= payload.position(); i--) {
        answer.put(payload.get(i));
      }
      payload.position(payload.limit());
    }
    return ConformanceHandler.REVERSE_FLAGS;
  }

  /** The same reverse as a {@link RequestHandler}: a new array and response per request. */
  static Reply reverse(Request request) {
    if (request.rqType() != 0) {
      throw new RequestFailedException(
          Response.failure("rr-server serves only type 0 (reverse), not type " + request.rqType()));
    }
    return Response.ok(
        ConformanceHandler.REVERSE_FLAGS, ConformanceHandler.reversed(request.payload()));
  }

  /** Starts the server on the endpoint's address with these limits; the caller closes it. */
  static PacketServer start(Endpoint endpoint, boolean requestHandler, ServerLimits limits)
      throws IOException {
    PacketConnection.Builder connections =
        PacketConnection.builder().executor(Runnable::run).closeTimeout(Duration.ofSeconds(5));
    AtomicReference<PacketServer> serving = new AtomicReference<>();
    if (requestHandler) {
      connections.handler(
          limits.heapRequests
              ? request ->
                  request.rqType() == HEAP_TYPE
                      ? Response.ok(heapReport(serving.get()).getBytes(StandardCharsets.US_ASCII))
                      : reverse(request)
              : RrServerCommand::reverse);
    } else {
      connections.bufferHandler(
          limits.heapRequests
              ? (rqType, flags, payload, answer) -> {
                if (rqType != HEAP_TYPE) {
                  return reverse(rqType, flags, payload, answer);
                }
                answer.put(heapReport(serving.get()).getBytes(StandardCharsets.US_ASCII));
                return 0;
              }
              : RrServerCommand::reverse);
    }
    endpoint.configure(connections);
    limits.configure(connections);
    PacketServer server =
        limits
            .configure(PacketServer.builder(connections))
            .name("rr-server")
            .shutdownTimeout(Duration.ofSeconds(8))
            .bind(new InetSocketAddress(endpoint.host, endpoint.port));
    serving.set(server);
    return server;
  }

  /**
   * Collects garbage (twice, so that what the first run finalizes goes too) and says how much of
   * the heap is in use after it and how many connections the server has open.
   */
  static String heapReport(PacketServer server) {
    System.gc();
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return "heap_used="
        + used
        + " connections="
        + (server == null ? 0 : server.connections().size());
  }
}
