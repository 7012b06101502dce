package io.packetstream.bench;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Two connections talking TLS over loopback TCP: through an {@link SSLEngine} on the event loop
 * ({@code engine}, no thread per connection) or through {@link SSLSocket}s with a reader and a
 * writer thread each ({@code socket}). The test key pair of {@code test-keystore.p12}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TlsBenchmark {

  static final int WINDOW = 64;

  @Param({"engine", "socket"})
  String transport;

  @Param({"32", "16384"})
  int payloadBytes;

  private PacketConnection server;
  private PacketConnection client;
  private byte[] payload;
  private final CompletableFuture<?>[] window = new CompletableFuture<?>[WINDOW];

  @Setup(Level.Trial)
  public void open() throws Exception {
    SSLContext tls = context();
    PacketConnection.Builder serving =
        PacketConnection.builder()
            .handler(request -> Response.ok(ConnectionBenchmark.reverse(request.payload())))
            .executor(Runnable::run);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    if (transport.equals("engine")) {
      try (ServerSocketChannel listener = ServerSocketChannel.open()) {
        listener.bind(new InetSocketAddress(loopback, 0));
        SocketChannel near = SocketChannel.open(listener.getLocalAddress());
        SSLEngine serverEngine = tls.createSSLEngine();
        serverEngine.setUseClientMode(false);
        server = serving.open(listener.accept(), serverEngine, true);
        SSLEngine clientEngine = tls.createSSLEngine("127.0.0.1", 0);
        clientEngine.setUseClientMode(true);
        client = PacketConnection.builder().open(near, clientEngine, true);
      }
    } else {
      try (ServerSocket listener =
          tls.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
        SSLSocket near =
            (SSLSocket) tls.getSocketFactory().createSocket(loopback, listener.getLocalPort());
        Socket far = listener.accept();
        server = serving.open(far, true);
        client = PacketConnection.builder().open(near, true);
      }
    }
    payload = new byte[payloadBytes];
    client.submit(0, 0, payload).get(10, TimeUnit.SECONDS); // the handshake
  }

  @TearDown(Level.Trial)
  public void close() {
    client.abort();
    server.abort();
  }

  /** One request, then wait for its answer. */
  @Benchmark
  public Response roundTrip() throws Exception {
    return client.submit(0, 0, payload).get(10, TimeUnit.SECONDS);
  }

  /** 64 requests sent before any answer is awaited. */
  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public Object window64() throws Exception {
    for (int i = 0; i < WINDOW; i++) {
      window[i] = client.submit(0, 0, payload);
    }
    return CompletableFuture.allOf(window).get(10, TimeUnit.SECONDS);
  }

  private static SSLContext context() throws Exception {
    char[] password = "changeit".toCharArray();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = TlsBenchmark.class.getResourceAsStream("/test-keystore.p12")) {
      store.load(in, password);
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }
}
