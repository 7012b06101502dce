package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options every command shares: where to listen or connect, and the sender's packet grace.
 * Mixed into each command, so the options read the same everywhere.
 */
final class Endpoint {

  @Option(names = "--port", required = true, description = "TCP port (0 lets a server pick one).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on or connect to (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--grace-ms",
      description = "The sender's packet grace in milliseconds (default: the library's own).")
  Double graceMs;

  /** An endpoint on 127.0.0.1, as the options would give it; for code that is not the command line. */
  static Endpoint loopback(int port) {
    Endpoint e = new Endpoint();
    e.port = port;
    e.host = "127.0.0.1";
    return e;
  }

  /** Applies the packet grace, when one was given, to a connection builder. */
  PacketConnection.Builder applyGrace(PacketConnection.Builder builder) {
    if (graceMs != null) {
      if (graceMs < 0 || graceMs.isNaN()) {
        throw new IllegalArgumentException("--grace-ms " + graceMs + " is negative");
      }
      builder.packetGrace(Duration.ofNanos(Math.round(graceMs * 1_000_000)));
    }
    return builder;
  }
}
