package io.packetstream.spring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS sockets that check the server's certificate names the host connected to, which a plain
 * {@link SSLSocketFactory} does not do by itself, limited to the ciphers and protocols of the SSL
 * bundle's options ({@code spring.ssl.bundle.*.options}) when it names any.
 */
final class VerifyingSocketFactory extends SocketFactory {

  private final SSLSocketFactory tls;
  private final SslOptions options;

  VerifyingSocketFactory(SSLSocketFactory tls, SslOptions options) {
    this.tls = tls;
    this.options = options;
  }

  @Override
  public Socket createSocket() throws IOException {
    return verify(tls.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return verify(tls.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress local, int localPort)
      throws IOException {
    return verify(tls.createSocket(host, port, local, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return verify(tls.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
      throws IOException {
    return verify(tls.createSocket(host, port, local, localPort));
  }

  private Socket verify(Socket socket) {
    SSLSocket ssl = (SSLSocket) socket;
    SSLParameters params = TlsServerSocketFactory.limit(ssl.getSSLParameters(), options);
    params.setEndpointIdentificationAlgorithm("HTTPS");
    ssl.setSSLParameters(params);
    return ssl;
  }
}
