package io.packetstream.connection;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/** A transport over an input/output stream pair, such as a socket's. */
final class StreamTransport implements Transport {

  private final InputStream in;
  private final OutputStream out;
  private final Closeable owner;
  private final SocketAddress remote;

  /**
   * @param owner what {@link #close} closes, or null when the caller keeps ownership
   * @param remote the peer's address, or null when unknown
   */
  StreamTransport(InputStream in, OutputStream out, Closeable owner, SocketAddress remote) {
    this.in = in;
    this.out = out;
    this.owner = owner;
    this.remote = remote;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
    if (n > 0) {
      dst.position(dst.position() + n);
    }
    return n;
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    out.write(src.array(), src.arrayOffset() + src.position(), src.remaining());
    src.position(src.limit());
  }

  @Override
  public void flush() throws IOException {
    out.flush();
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
