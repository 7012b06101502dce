package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rr-server}: the server side of the rr load (CONFORMANCE.md section 2), the reverse
 * handler (type 0) and nothing else, on every connection.
 *
 * <p>The handler runs on the connection's reader thread (a direct executor): reversing 32 bytes
 * takes far less than handing the request to another thread would, and it never blocks. The gRPC
 * anchor serves the same load with {@code directExecutor()} for the same reason.
 */
@Command(name = "rr-server", mixinStandardHelpOptions = true,
    description = "Serve the rr load's reverse handler (type 0) until killed.")
final class RrServerCommand implements Callable<Integer> {

  @Mixin
  Endpoint endpoint;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PacketServer server = start(endpoint);
    return ServerRunner.runUntilStopped("rr-server", server, spec.commandLine().getErr());
  }

  /** Starts the server on the endpoint's address; the caller closes it. */
  static PacketServer start(Endpoint endpoint) throws IOException {
    PacketConnection.Builder connections = endpoint.applyGrace(PacketConnection.builder()
        .handler(request -> request.rqType() == 0
            ? Response.ok(ConformanceHandler.REVERSE_FLAGS, ConformanceHandler.reversed(request.payload()))
            : Response.failure("rr-server serves only type 0 (reverse), not type " + request.rqType()))
        .executor(Runnable::run)
        .closeTimeout(Duration.ofSeconds(5)));
    return PacketServer.builder(connections)
        .name("rr-server")
        .shutdownTimeout(Duration.ofSeconds(8))
        .bind(new InetSocketAddress(endpoint.host, endpoint.port));
  }
}
