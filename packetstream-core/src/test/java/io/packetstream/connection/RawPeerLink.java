package io.packetstream.connection;

import io.packetstream.transport.RawPeer;
import io.packetstream.wire.Packet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;

/**
 * A connection under test over a real TCP socket on 127.0.0.1 whose other end is a scripted {@link
 * RawPeer}: the peer answers, ends or stays silent exactly as a test says.
 */
final class RawPeerLink implements AutoCloseable {

  final PacketConnection connection;
  final RawPeer peer;

  RawPeerLink(PacketConnection.Builder builder) throws IOException {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      peer = new RawPeer(((InetSocketAddress) listener.getLocalAddress()).getPort());
      SocketChannel accepted = listener.accept();
      connection = builder.open(accepted, true);
    }
  }

  /**
   * Lets the peer end gracefully once the connection does, on a thread of its own: it reads until
   * the connection's EOF, answers with its own EOF and closes its socket. The future completes when
   * it has; it fails if the stream ends, goes quiet for 10 s or sends 1000 packets first.
   */
  CompletableFuture<Void> peerEndsAfterTheConnection() {
    return Threads.run(
        "raw peer",
        () -> {
          for (int skipped = 0; !peer.receive().isEof(); skipped++) {
            // skip the connection's remaining packets: ERQ, answers
            if (skipped == 1000) {
              throw new IllegalStateException("no EOF in the first 1000 packets");
            }
          }
          peer.send(Packet.EOF);
          peer.close();
        });
  }

  @Override
  public void close() throws IOException {
    connection.abort();
    peer.close();
  }
}
