package io.packetstream.spring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS server sockets limited to the ciphers and protocols an SSL bundle's options name
 * ({@code spring.ssl.bundle.*.options}); a plain {@link SSLServerSocketFactory} offers every one
 * its context enables.
 */
final class TlsServerSocketFactory extends ServerSocketFactory {

  private final SSLServerSocketFactory tls;
  private final SslOptions options;

  TlsServerSocketFactory(SSLServerSocketFactory tls, SslOptions options) {
    this.tls = tls;
    this.options = options;
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return limit(tls.createServerSocket());
  }

  @Override
  public ServerSocket createServerSocket(int port) throws IOException {
    return limit(tls.createServerSocket(port));
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    return limit(tls.createServerSocket(port, backlog));
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
      throws IOException {
    return limit(tls.createServerSocket(port, backlog, address));
  }

  private ServerSocket limit(ServerSocket socket) {
    SSLServerSocket ssl = (SSLServerSocket) socket;
    ssl.setSSLParameters(limit(ssl.getSSLParameters(), options));
    return ssl;
  }

  /**
   * Limits {@code params} to the ciphers and protocols {@code options} name, where they name any;
   * for server and client sockets alike.
   */
  static SSLParameters limit(SSLParameters params, SslOptions options) {
    if (options.getCiphers() != null) {
      params.setCipherSuites(options.getCiphers());
    }
    if (options.getEnabledProtocols() != null) {
      params.setProtocols(options.getEnabledProtocols());
    }
    return params;
  }
}
