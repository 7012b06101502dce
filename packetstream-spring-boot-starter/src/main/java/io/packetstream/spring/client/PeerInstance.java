package io.packetstream.spring.client;

import java.util.Objects;

/**
 * One instance of a service that a balanced client connects to: where it listens, and the name that
 * logs, errors, health and the endpoint give it.
 *
 * @param id the instance's id from discovery, or {@code host:port} when it has none
 * @param host the host name or address to connect to
 * @param port the TCP port to connect to, 1 to 65535
 */
public record PeerInstance(String id, String host, int port) {

  /** Checks the address. */
  public PeerInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "instance " + id + ": port " + port + " is not a TCP port (1 to 65535)");
    }
  }

  /** An instance named by its address. */
  public static PeerInstance of(String host, int port) {
    return new PeerInstance(address(host, port), host, port);
  }

  /**
   * The instance of {@code hostPort}, written {@code host:port} or {@code [v6-address]:port}.
   *
   * @throws IllegalArgumentException if it is not written so
   */
  public static PeerInstance parse(String hostPort) {
    String s = hostPort.strip();
    int colon = s.lastIndexOf(':');
    String host = colon > 0 ? s.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      host = "";
    }
    int port = -1;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      // reported below
    }
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "'"
              + hostPort
              + "' is not host:port (an IPv6 address"
              + " in brackets, a port 1 to 65535)");
    }
    return of(host, port);
  }

  private static String address(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The id, followed by the address when the id is not the address. */
  @Override
  public String toString() {
    String address = address(host, port);
    return id.equals(address) ? id : id + " (" + address + ")";
  }
}
