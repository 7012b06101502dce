package io.packetstream.spring.context;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ServerSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Makes the starter's core {@link PacketServer}: where it listens (a TCP address and port, or a
 * Unix domain socket), its limits and its TLS sockets, set here, then every {@link
 * PacketServerCustomizer} applied to the core builder, in order, before it binds. The
 * auto-configuration maps {@code packetstream.server.*} onto one; a setting left unset keeps the
 * core's default.
 */
public final class PacketServerFactory {

  private @Nullable String name;
  private @Nullable InetAddress address;
  private int port;
  private @Nullable Path unixSocketPath;
  private @Nullable Integer maxConnections;
  private @Nullable Duration shutdownTimeout;
  private @Nullable Duration handshakeTimeout;
  private @Nullable ServerSocketFactory socketFactory;
  private final List<PacketServerCustomizer> customizers = new ArrayList<>();

  /** The server's name, and the prefix of its connections' names. */
  public void setName(String name) {
    this.name = name;
  }

  /** The address to listen on; every interface when unset. */
  public void setAddress(InetAddress address) {
    this.address = address;
  }

  /** The TCP port to listen on; 0 (default) picks a free one. */
  public void setPort(int port) {
    this.port = port;
  }

  /** A Unix domain socket to listen on, instead of a TCP port. */
  public void setUnixSocketPath(Path unixSocketPath) {
    this.unixSocketPath = unixSocketPath;
  }

  /** How many peers may be connected at once. */
  public void setMaxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** How long closing the server waits for its connections to finish. */
  public void setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  /** How long a TLS peer has to complete its handshake. */
  public void setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = handshakeTimeout;
  }

  /** Makes the listening TCP socket, for TLS; plain TCP over socket channels when unset. */
  public void setSocketFactory(ServerSocketFactory socketFactory) {
    this.socketFactory = socketFactory;
  }

  /** Adds customizers, applied after the settings of this factory, in the order given. */
  public void addServerCustomizers(PacketServerCustomizer... customizers) {
    for (PacketServerCustomizer c : customizers) {
      this.customizers.add(Objects.requireNonNull(c, "customizer"));
    }
  }

  /**
   * A core builder with this factory's settings and customizers applied, whose connections get the
   * settings of {@code connections}; {@link #create} binds one.
   */
  public PacketServer.Builder builder(PacketConnection.Builder connections) {
    PacketServer.Builder b = PacketServer.builder(connections);
    if (name != null) {
      b.name(name);
    }
    if (maxConnections != null) {
      b.maxConnections(maxConnections);
    }
    if (shutdownTimeout != null) {
      b.shutdownTimeout(shutdownTimeout);
    }
    if (handshakeTimeout != null) {
      b.handshakeTimeout(handshakeTimeout);
    }
    if (socketFactory != null && unixSocketPath == null) {
      b.socketFactory(socketFactory);
    }
    customizers.forEach(c -> c.customize(b));
    return b;
  }

  /**
   * Binds a server, listening at once, whose connections get the settings of {@code connections}.
   */
  public PacketServer create(PacketConnection.Builder connections) throws IOException {
    PacketServer.Builder b = builder(connections);
    if (unixSocketPath != null) {
      return b.bind(unixSocketPath);
    }
    return b.bind(
        address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
  }
}
