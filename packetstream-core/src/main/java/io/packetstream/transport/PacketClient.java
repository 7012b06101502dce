package io.packetstream.transport;

import io.packetstream.connection.PacketConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Connects to a packetstream peer and returns an open connection that owns its socket: closing the
 * connection closes the socket. Over TLS the client checks that the server's certificate names the
 * host it connects to, and gives up on a handshake that stalls.
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

  /** Default TLS handshake timeout. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private PacketClient() {}

  /** Connects over plain TCP with the default connect timeout. */
  public static PacketConnection connect(String host, int port, PacketConnection.Builder connection)
      throws IOException {
    return connect(new InetSocketAddress(host, port), DEFAULT_CONNECT_TIMEOUT, connection);
  }

  /**
   * Connects over plain TCP, through a socket channel: the fastest transport. A {@code
   * connectTimeout} of {@link Duration#ZERO} waits as long as the system keeps trying.
   */
  public static PacketConnection connect(
      InetSocketAddress address, Duration connectTimeout, PacketConnection.Builder connection)
      throws IOException {
    InetSocketAddress target = resolved(address);
    int millis = connectMillis(connectTimeout);
    SocketChannel channel = SocketChannel.open();
    try {
      // connect with a timeout through the channel's socket adaptor, then hand the channel over
      channel.socket().connect(target, millis);
      return connection.open(channel, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Connects over TCP with a socket from {@code sockets}: pass an {@code SSLContext}'s socket
   * factory for TLS. The TLS handshake must complete within {@link #DEFAULT_HANDSHAKE_TIMEOUT}; see
   * {@link #connect(InetSocketAddress, Duration, Duration, SocketFactory,
   * PacketConnection.Builder)} for what is checked.
   */
  public static PacketConnection connect(
      InetSocketAddress address,
      Duration connectTimeout,
      SocketFactory sockets,
      PacketConnection.Builder connection)
      throws IOException {
    return connect(address, connectTimeout, DEFAULT_HANDSHAKE_TIMEOUT, sockets, connection);
  }

  /**
   * Connects over TCP with a socket from {@code sockets}; for TLS (the factory makes {@link
   * SSLSocket}s, as an {@code SSLContext}'s does) the handshake completes before this returns, and
   * fails with an {@code SSLHandshakeException} unless the server's certificate is trusted and
   * names the host connected to, as a browser checks (endpoint identification {@code HTTPS}, unless
   * the factory's sockets already name an algorithm).
   *
   * <p>The host is the name {@code address} was made with ({@code new
   * InetSocketAddress("db.example", port)}, resolved here if it was made unresolved), sent to the
   * server in the TLS server name indication too; an address made from an IP alone is checked
   * against the certificate's IP addresses. To reach a server by its IP address and check a name,
   * make the address with {@code InetAddress.getByAddress(name, ip)}.
   *
   * <p>Each read of the handshake waits at most {@code handshakeTimeout}, so a server that accepts
   * and then stalls cannot hold the caller forever; the connection itself has no read timeout.
   */
  public static PacketConnection connect(
      InetSocketAddress address,
      Duration connectTimeout,
      Duration handshakeTimeout,
      SocketFactory sockets,
      PacketConnection.Builder connection)
      throws IOException {
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException(
          "handshakeTimeout " + handshakeTimeout + " is not positive");
    }
    InetSocketAddress target = resolved(address);
    int millis = connectMillis(connectTimeout);
    Socket socket = sockets.createSocket();
    try {
      socket.connect(target, millis);
      if (socket instanceof SSLSocket ssl) {
        verifyHost(ssl, target.getHostString());
        int readTimeout = ssl.getSoTimeout(); // 0, none, unless the factory set one
        int handshakeMillis = connectMillis(handshakeTimeout);
        ssl.setSoTimeout(handshakeMillis);
        try {
          ssl.startHandshake();
        } catch (SocketTimeoutException e) {
          // the socket's own message, "Read timed out", reads as if the connection had failed
          SocketTimeoutException named =
              new SocketTimeoutException(
                  "TLS handshake with "
                      + target
                      + " not finished within "
                      + handshakeMillis
                      + " ms (handshakeTimeout)");
          named.initCause(e);
          throw named;
        }
        ssl.setSoTimeout(readTimeout);
      }
      return connection.open(socket, true);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Connects over TLS through a socket channel and an {@link SSLEngine} of {@code tls}: the
   * connection is served by an event loop and holds no thread of its own, as a plain one. The
   * server's certificate must be trusted and name the host, as for {@link
   * #connect(InetSocketAddress, Duration, Duration, SocketFactory, PacketConnection.Builder)}; the
   * handshake runs on the event loop and fails the connection (and the requests already submitted)
   * after the builder's {@link PacketConnection.Builder#handshakeTimeout}, so this returns once
   * connected, before the handshake has finished.
   *
   * <p>The trade against an {@code SSLSocket}: no threads per connection, but each write is
   * encrypted where it happens, so many tiny requests submitted one by one from one thread each
   * make a TLS record, where an {@code SSLSocket}'s writer thread batches them; see the README.
   */
  public static PacketConnection connect(
      InetSocketAddress address,
      Duration connectTimeout,
      SSLContext tls,
      PacketConnection.Builder connection)
      throws IOException {
    InetSocketAddress target = resolved(address);
    SSLEngine engine = tls.createSSLEngine(target.getHostString(), target.getPort());
    engine.setUseClientMode(true);
    engine.setSSLParameters(hostChecked(engine.getSSLParameters(), target.getHostString()));
    int millis = connectMillis(connectTimeout);
    SocketChannel channel = SocketChannel.open();
    try {
      channel.socket().connect(target, millis);
      return connection.open(channel, engine, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** {@code address}, resolved if it was made unresolved; an unknown host is named. */
  static InetSocketAddress resolved(InetSocketAddress address) throws UnknownHostException {
    InetSocketAddress target =
        address.isUnresolved()
            ? new InetSocketAddress(address.getHostString(), address.getPort())
            : address;
    if (target.isUnresolved()) {
      throw new UnknownHostException(address.getHostString());
    }
    return target;
  }

  /**
   * {@code timeout} as a socket's connect or read timeout, whose 0 means none: under a millisecond
   * is one, more than an {@code int} of them is the most it holds.
   */
  private static int connectMillis(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("connectTimeout " + timeout + " is negative");
    }
    if (timeout.isZero()) {
      return 0;
    }
    if (timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) >= 0) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.max(1, timeout.plusNanos(999_999).toMillis());
  }

  /**
   * Asks the TLS socket to check that the server's certificate names {@code host}, and to send it.
   */
  private static void verifyHost(SSLSocket ssl, String host) {
    ssl.setSSLParameters(hostChecked(ssl.getSSLParameters(), host));
  }

  /** TLS parameters that check that the server's certificate names {@code host}, and send it. */
  private static SSLParameters hostChecked(SSLParameters params, String host) {
    String algorithm = params.getEndpointIdentificationAlgorithm();
    if (algorithm == null || algorithm.isEmpty()) {
      params.setEndpointIdentificationAlgorithm("HTTPS");
    }
    List<SNIServerName> names = params.getServerNames();
    if ((names == null || names.isEmpty()) && isHostName(host)) {
      try {
        params.setServerNames(List.of(new SNIHostName(host)));
      } catch (IllegalArgumentException notAHostName) {
        // a name SNI cannot carry (a trailing dot, say): still checked, just not sent
      }
    }
    return params;
  }

  /**
   * Whether {@code host} is a name rather than an IPv4 or IPv6 literal, which SNI must not carry.
   */
  private static boolean isHostName(String host) {
    return !host.contains(":") && !host.matches("[0-9.]+");
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
