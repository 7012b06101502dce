package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketServer;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * rr-server's options for peers that misbehave: the timeouts and limits a server facing untrusted
 * peers sets, each left at the library's default unless given. Mixed into {@code rr-server}.
 */
final class ServerLimits {

  @Option(
      names = "--idle-timeout-ms",
      description =
          "Close a connection that carried no bytes for this long with nothing pending "
              + "(default: the library's, off).")
  Long idleTimeoutMs;

  @Option(
      names = "--read-timeout-ms",
      description =
          "Fail a connection whose peer pauses this long inside a frame "
              + "(default: the library's, 30000; 0: never).")
  Long readTimeoutMs;

  @Option(
      names = "--max-connections",
      description =
          "The most connections open at once; more peers are disconnected at once "
              + "(default: the library's, 10000).")
  Integer maxConnections;

  @Option(
      names = "--max-frame-length",
      description = "The longest frame body accepted from a peer (default: the library's, 16 MiB).")
  Integer maxFrameLength;

  @Option(
      names = "--heap-requests",
      description =
          "Also answer request type 1: collect garbage, then reply with the text "
              + "'heap_used=BYTES connections=N' (this server's heap in use and connections open), so "
              + "a load can watch the server's memory. For benchmarks: any peer can ask for a GC.")
  boolean heapRequests;

  /** Applies the connection settings that were given. */
  PacketConnection.Builder configure(PacketConnection.Builder builder) {
    if (idleTimeoutMs != null) {
      builder.idleTimeout(Duration.ofMillis(nonNegative("--idle-timeout-ms", idleTimeoutMs)));
    }
    if (readTimeoutMs != null) {
      builder.readTimeout(Duration.ofMillis(nonNegative("--read-timeout-ms", readTimeoutMs)));
    }
    if (maxFrameLength != null) {
      builder.maxFrameLength(maxFrameLength);
    }
    return builder;
  }

  /** Applies the server settings that were given. */
  PacketServer.Builder configure(PacketServer.Builder builder) {
    if (maxConnections != null) {
      builder.maxConnections(maxConnections);
    }
    return builder;
  }

  private static long nonNegative(String option, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(option + " " + value + " is negative");
    }
    return value;
  }
}
