package io.packetstream.transport;

import io.packetstream.connection.PacketConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.SocketFactory;

/**
 * Connects to a packetstream peer and returns an open connection that owns its socket: closing
 * the connection closes the socket.
 *
 * <pre>{@code
 * try (PacketConnection conn = PacketClient.connect("127.0.0.1", 9000, PacketConnection.builder())) {
 *   Response r = conn.call(0, 0, payload);
 * }
 * }</pre>
 */
public final class PacketClient {

  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private PacketClient() {}

  /** Connects over plain TCP with the default connect timeout. */
  public static PacketConnection connect(String host, int port, PacketConnection.Builder connection)
      throws IOException {
    return connect(new InetSocketAddress(host, port), DEFAULT_CONNECT_TIMEOUT, connection);
  }

  /** Connects over plain TCP, through a socket channel: the fastest transport. */
  public static PacketConnection connect(InetSocketAddress address, Duration connectTimeout,
      PacketConnection.Builder connection) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      // connect with a timeout through the channel's socket adaptor, then hand the channel over
      channel.socket().connect(address, Math.toIntExact(connectTimeout.toMillis()));
      return connection.open(channel, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Connects over TCP with a socket from {@code sockets}: pass an {@code SSLContext}'s socket
   * factory for TLS.
   */
  public static PacketConnection connect(InetSocketAddress address, Duration connectTimeout,
      SocketFactory sockets, PacketConnection.Builder connection) throws IOException {
    Socket socket = sockets.createSocket();
    try {
      socket.connect(address, Math.toIntExact(connectTimeout.toMillis()));
      if (socket instanceof javax.net.ssl.SSLSocket ssl) {
        ssl.startHandshake();
      }
      return connection.open(socket, true);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Connects to a Unix domain socket at {@code path}. */
  public static PacketConnection connect(Path path, PacketConnection.Builder connection)
      throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(path));
      return connection.open(channel, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }
}
