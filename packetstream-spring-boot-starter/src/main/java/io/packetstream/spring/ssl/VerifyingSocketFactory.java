package io.packetstream.spring.ssl;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Connects clients over TLS with the SSL bundle's material of the moment (so that a reloaded bundle
 * serves the next connect), checking that the server's certificate names the host connected to,
 * which a plain {@code SSLSocketFactory} does not do by itself, limited to the ciphers and
 * protocols of the bundle's options, and within {@code
 * packetstream.clients.NAME.ssl.handshake-timeout}: a server that accepts and stays silent fails
 * the connect instead of holding it for ever.
 */
public final class VerifyingSocketFactory {

  private final TlsMaterial material;
  private final int handshakeMillis;

  public VerifyingSocketFactory(TlsMaterial material, Duration handshakeTimeout) {
    this.material = material;
    this.handshakeMillis = Math.toIntExact(handshakeTimeout.toMillis());
  }

  /** Connects to {@code address}, completes the handshake and opens a connection on it. */
  public PacketConnection connect(
      InetSocketAddress address, Duration connectTimeout, PacketConnection.Builder builder)
      throws IOException {
    SSLSocket ssl = (SSLSocket) material.context().getSocketFactory().createSocket();
    try {
      SSLParameters params = TlsMaterial.limit(ssl.getSSLParameters(), material.options());
      params.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(params);
      ssl.connect(address, Math.toIntExact(connectTimeout.toMillis()));
      ssl.setSoTimeout(handshakeMillis);
      try {
        ssl.startHandshake();
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException(
            "TLS handshake with "
                + address
                + " took longer than "
                + Durations.format(Duration.ofMillis(handshakeMillis))
                + " (ssl.handshake-timeout)");
      }
      ssl.setSoTimeout(0);
      return builder.open(ssl, true);
    } catch (IOException | RuntimeException e) {
      ssl.close();
      throw e;
    }
  }

  /** A socket as the connections of this factory get one, for tests of its parameters. */
  Socket socket() throws IOException {
    SSLSocket ssl = (SSLSocket) material.context().getSocketFactory().createSocket();
    SSLParameters params = TlsMaterial.limit(ssl.getSSLParameters(), material.options());
    params.setEndpointIdentificationAlgorithm("HTTPS");
    ssl.setSSLParameters(params);
    return ssl;
  }
}
