package io.packetstream.connection;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/**
 * A transport over blocking channels: a {@link java.nio.channels.SocketChannel} (TCP or Unix
 * domain) or the two ends of pipes. Channels allow one reader and one writer at once, unlike the
 * stream adapters of {@link java.nio.channels.Channels}, which serialise them.
 */
final class ChannelTransport implements Transport {

  private final ReadableByteChannel in;
  private final WritableByteChannel out;
  private final Closeable owner;
  private final SocketAddress remote;

  ChannelTransport(
      ReadableByteChannel in, WritableByteChannel out, Closeable owner, SocketAddress remote) {
    this.in = in;
    this.out = out;
    this.owner = owner;
    this.remote = remote;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return in.read(dst);
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      out.write(src);
    }
  }

  @Override
  public void flush() {
    // channels write straight through
  }

  @Override
  public void close() throws IOException {
    if (owner != null) {
      owner.close();
    }
  }

  @Override
  public boolean owned() {
    return owner != null;
  }

  @Override
  public Optional<SocketAddress> remoteAddress() {
    return Optional.ofNullable(remote);
  }
}
