package io.packetstream.spring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets that check the server's certificate names the host connected to, which a plain
 * {@link SSLSocketFactory} does not do by itself.
 */
final class VerifyingSocketFactory extends SocketFactory {

  private final SSLSocketFactory tls;

  VerifyingSocketFactory(SSLSocketFactory tls) {
    this.tls = tls;
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

  private static Socket verify(Socket socket) {
    SSLSocket ssl = (SSLSocket) socket;
    SSLParameters params = ssl.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    ssl.setSSLParameters(params);
    return ssl;
  }
}
