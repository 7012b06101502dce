package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rr-server}: the server side of the rr load (CONFORMANCE.md section 2), the reverse
 * handler (type 0) and nothing else, on every connection.
 *
 * <p>The handler is a {@link io.packetstream.connection.BufferHandler}: it reverses the payload
 * from the read buffer straight into the answer, with no object allocated per request, so that
 * the server's heap (and its resident memory) stays small under any load. It runs on the
 * connection's reader thread (a direct executor): reversing 32 bytes
 * takes far less than handing the request to another thread would, and it never blocks. The gRPC
 * anchor serves the same load with {@code directExecutor()} for the same reason.
 */
@Command(name = "rr-server", mixinStandardHelpOptions = true,
    description = "Serve the rr load's reverse handler (type 0) until killed.")
final class RrServerCommand implements Callable<Integer> {

  @Mixin
  Endpoint endpoint;

  @Option(names = "--request-handler", hidden = true,
      description = "Serve with a RequestHandler (a request and a response object per request) "
          + "instead of the BufferHandler, to compare the two or to compare with the starter.")
  boolean requestHandler;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PacketServer server = start(endpoint, requestHandler);
    return ServerRunner.runUntilStopped("rr-server", server, spec.commandLine().getErr());
  }

  /** Answers type 0 with the payload reversed, straight from and into the connection's buffers. */
  static long reverse(long rqType, long flags, ByteBuffer payload, ByteBuffer answer) {
    if (rqType != 0) {
      throw new RequestFailedException(Response.failure(
          "rr-server serves only type 0 (reverse), not type " + rqType));
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
    } else {
      for (int i = payload.limit() - 1; i >= payload.position(); i--) {
        answer.put(payload.get(i));
      }
    }
    return ConformanceHandler.REVERSE_FLAGS;
  }

  /** The same reverse as a {@link RequestHandler}: a new array and response per request. */
  static Reply reverse(Request request) {
    if (request.rqType() != 0) {
      throw new RequestFailedException(Response.failure(
          "rr-server serves only type 0 (reverse), not type " + request.rqType()));
    }
    return Response.ok(ConformanceHandler.REVERSE_FLAGS, ConformanceHandler.reversed(request.payload()));
  }

  /** Starts the server on the endpoint's address with the {@code BufferHandler}; the caller closes it. */
  static PacketServer start(Endpoint endpoint) throws IOException {
    return start(endpoint, false);
  }

  /** Starts the server on the endpoint's address; the caller closes it. */
  static PacketServer start(Endpoint endpoint, boolean requestHandler) throws IOException {
    PacketConnection.Builder connections = PacketConnection.builder()
        .executor(Runnable::run)
        .closeTimeout(Duration.ofSeconds(5));
    if (requestHandler) {
      connections.handler(RrServerCommand::reverse);
    } else {
      connections.bufferHandler(RrServerCommand::reverse);
    }
    endpoint.configure(connections);
    return PacketServer.builder(connections)
        .name("rr-server")
        .shutdownTimeout(Duration.ofSeconds(8))
        .bind(new InetSocketAddress(endpoint.host, endpoint.port));
  }
}
