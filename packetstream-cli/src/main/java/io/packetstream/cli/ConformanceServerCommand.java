package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
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
 * {@code conformance-server}: the fixed test service of CONFORMANCE.md section 1, which any
 * implementation's conformance client can check. Runs until killed; SIGTERM ends it cleanly.
 */
@Command(
    name = "conformance-server",
    mixinStandardHelpOptions = true,
    description = "Serve the conformance handlers (CONFORMANCE.md section 1) until killed.")
final class ConformanceServerCommand implements Callable<Integer> {

  /** Room for the 1 MiB echo and the largest {@code big} answer, with their headers. */
  static final int MAX_FRAME = 32 * 1024 * 1024;

  @Mixin Endpoint endpoint;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PacketServer server = start(endpoint);
    return ServerRunner.runUntilStopped("conformance-server", server, spec.commandLine().getErr());
  }

  /** Starts the service on the endpoint's address; the caller closes it. */
  static PacketServer start(Endpoint endpoint) throws IOException {
    PacketConnection.Builder connections =
        endpoint.configure(
            PacketConnection.builder()
                .handler(new ConformanceHandler())
                .maxFrameLength(MAX_FRAME)
                // the client pipelines 2000 requests at once: let them wait instead of refusing
                // them
                .maxQueuedRequests(8192)
                .closeTimeout(Duration.ofSeconds(5)));
    return PacketServer.builder(connections)
        .name("conformance-server")
        .shutdownTimeout(Duration.ofSeconds(8))
        .bind(new InetSocketAddress(endpoint.host, endpoint.port));
  }
}
