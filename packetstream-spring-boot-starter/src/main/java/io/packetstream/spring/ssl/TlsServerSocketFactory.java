package io.packetstream.spring.ssl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Server sockets whose accepted connections speak TLS with the SSL bundle's material of the moment
 * of accepting (so that a reloaded bundle serves new peers), limited to the ciphers and protocols
 * of the bundle's options, asking for the peer's certificate as {@code
 * packetstream.server.ssl.client-auth} says. The core server completes each accepted peer's
 * handshake within its handshake timeout ({@code packetstream.server.ssl.handshake-timeout}).
 */
public final class TlsServerSocketFactory extends ServerSocketFactory {

  private final TlsMaterial material;
  private final ClientAuth clientAuth;

  public TlsServerSocketFactory(TlsMaterial material, ClientAuth clientAuth) {
    this.material = material;
    this.clientAuth = clientAuth;
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return new TlsServerSocket();
  }

  @Override
  public ServerSocket createServerSocket(int port) throws IOException {
    return bound(new TlsServerSocket(), new InetSocketAddress(port), 50);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    return bound(new TlsServerSocket(), new InetSocketAddress(port), backlog);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
      throws IOException {
    return bound(new TlsServerSocket(), new InetSocketAddress(address, port), backlog);
  }

  private static ServerSocket bound(ServerSocket s, InetSocketAddress address, int backlog)
      throws IOException {
    try {
      s.bind(address, backlog);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A TCP server socket that layers TLS over each connection it accepts. */
  private final class TlsServerSocket extends ServerSocket {

    TlsServerSocket() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      Socket plain = super.accept();
      try {
        SSLSocket tls =
            (SSLSocket) material.context().getSocketFactory().createSocket(plain, null, true);
        tls.setUseClientMode(false);
        SSLParameters params = TlsMaterial.limit(tls.getSSLParameters(), material.options());
        params.setNeedClientAuth(clientAuth == ClientAuth.NEED);
        if (clientAuth == ClientAuth.WANT) {
          params.setWantClientAuth(true);
        }
        tls.setSSLParameters(params);
        return tls;
      } catch (IOException | RuntimeException e) {
        plain.close();
        throw e;
      }
    }
  }
}
