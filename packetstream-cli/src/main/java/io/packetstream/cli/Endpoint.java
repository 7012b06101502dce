package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options every command shares: where to listen or connect, the sender's packet grace and the
 * reader's spin. Mixed into each command, so the options read the same everywhere.
 */
final class Endpoint {

  @Option(names = "--port", required = true, description = "TCP port (0 lets a server pick one).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on or connect to (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--grace-ms",
      description =
          "The sender's packet grace in milliseconds, at most 10000 (default: the library's own).")
  Double graceMs;

  /** The longest --grace-ms: a grace gathers packets into one write; the original's is 10 ms. */
  static final double MAX_GRACE_MS = 10_000;

  @Option(
      names = "--spin-us",
      description =
          "How long, in microseconds, a busy connection's reader polls a quiet socket "
              + "before it sleeps (default: the library's own, 0, never; 50 is a good start). Faster "
              + "round trips for that much CPU time.")
  Long spinUs;

  /**
   * An endpoint on 127.0.0.1, as the options would give it; for code that is not the command line.
   */
  static Endpoint loopback(int port) {
    Endpoint e = new Endpoint();
    e.port = port;
    e.host = "127.0.0.1";
    return e;
  }

  /** Applies the packet grace and the read spin, those that were given, to a connection builder. */
  PacketConnection.Builder configure(PacketConnection.Builder builder) {
    if (graceMs != null) {
      if (graceMs < 0 || graceMs.isNaN()) {
        throw new IllegalArgumentException("--grace-ms " + graceMs + " is negative");
      }
      if (graceMs > MAX_GRACE_MS) {
        throw new IllegalArgumentException(
            "--grace-ms " + graceMs + " is over " + (long) MAX_GRACE_MS);
      }
      builder.packetGrace(Duration.ofNanos(Math.round(graceMs * 1_000_000)));
    }
    if (spinUs != null) {
      if (spinUs < 0 || spinUs > 1_000_000) {
        throw new IllegalArgumentException("--spin-us " + spinUs + " is not between 0 and 1000000");
      }
      builder.readSpin(Duration.ofNanos(spinUs * 1000));
    }
    return builder;
  }
}
