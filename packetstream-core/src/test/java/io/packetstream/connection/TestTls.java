package io.packetstream.connection;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.KeyStore;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The tests' TLS material: the self-signed key pair of {@code test-keystore.p12} (CN=localhost).
 */
final class TestTls {

  private static final char[] PASSWORD = "changeit".toCharArray();

  private TestTls() {}

  /** A context that presents the test key and trusts only it. */
  static SSLContext context() throws Exception {
    return context(keys -> keys);
  }

  /** The same, with the key manager {@code wrap} makes of the test key's. */
  static SSLContext context(UnaryOperator<X509ExtendedKeyManager> wrap) throws Exception {
    return context(wrap, trust -> trust);
  }

  /** A context with the key manager and the trust manager the two functions make of the test's. */
  static SSLContext context(
      UnaryOperator<X509ExtendedKeyManager> wrapKeys,
      UnaryOperator<X509ExtendedTrustManager> wrapTrust)
      throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = TestTls.class.getResourceAsStream("/test-keystore.p12")) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    X509ExtendedKeyManager own = wrapKeys.apply((X509ExtendedKeyManager) keys.getKeyManagers()[0]);
    X509ExtendedTrustManager trusts =
        wrapTrust.apply((X509ExtendedTrustManager) trust.getTrustManagers()[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {own}, new TrustManager[] {trusts}, null);
    return context;
  }

  /** A context with the JDK's default trust store, which does not know the test key. */
  static SSLContext untrusting() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, null, null);
    return context;
  }

  /** A client engine that checks the server's name (127.0.0.1, in the test certificate). */
  static SSLEngine client(SSLContext context, int port) {
    SSLEngine engine = context.createSSLEngine("127.0.0.1", port);
    engine.setUseClientMode(true);
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(params);
    return engine;
  }

  static SSLEngine server(SSLContext context) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    return engine;
  }

  /** A listening socket channel on 127.0.0.1. */
  static ServerSocketChannel listen() throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return server;
  }

  static int port(ServerSocketChannel server) throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  /** A client channel connected to {@code server}, and the server's end of it. */
  static SocketChannel[] connect(ServerSocketChannel server) throws IOException {
    SocketChannel client = SocketChannel.open(server.getLocalAddress());
    SocketChannel accepted = server.accept();
    return new SocketChannel[] {client, accepted};
  }
}
