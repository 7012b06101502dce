package io.packetstream.connection;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * The byte stream under a connection, driven one of two ways: by an event loop ({@link ChannelIo},
 * selectable channels) or by a reader thread and a writer thread of its own ({@link StreamIo},
 * streams and other blocking channels). Either way it hands the bytes it reads to {@link
 * PacketConnection#received} and writes what the connection's {@link Outbound} gives it.
 */
abstract class Io implements Outbound.Sink {

  /** The peer's address, or null. */
  private final SocketAddress remote;

  Io(SocketAddress remote) {
    this.remote = remote;
  }

  /** Starts reading for {@code connection}; called once. */
  abstract void start(PacketConnection connection);

  /** Whether writes never block (the {@link Outbound} writes inline). */
  abstract boolean nonBlocking();

  /** Stops reading until {@link #resumeReading}; any thread. */
  abstract void pauseReading();

  /** Reads again; the connection first hands on what its reader kept. Any thread. */
  abstract void resumeReading();

  /** Ends reading and writing; closes the stream if it is owned. Any thread; never blocks long. */
  abstract void close();

  /** Whether {@link #close} closes the underlying stream(s). */
  abstract boolean owned();

  /**
   * When the transport last read bytes it still holds without having handed them on (part of a TLS
   * record), by {@link System#nanoTime()}; {@link Long#MIN_VALUE} when it holds none. Read on the
   * event loop, for the read timeout: such bytes are a frame begun as much as the reader's are.
   */
  long heldInputNanos() {
    return Long.MIN_VALUE;
  }

  /** The thread that reads, when there is one of its own (streams); else null. */
  Thread readerThread() {
    return null;
  }

  /** The thread that writes, when there is one of its own (streams); else null. */
  Thread writerThread() {
    return null;
  }

  Optional<SocketAddress> remoteAddress() {
    return Optional.ofNullable(remote);
  }

  /** The TLS session, once its first handshake has finished; empty when the stream is not TLS. */
  Optional<SSLSession> tlsSession() {
    return Optional.empty();
  }

  @Override
  public void awaitWritable() {
    throw new UnsupportedOperationException("blocking writes");
  }

  @Override
  public void flush() throws IOException {
    // channels write straight through
  }

  static int copy(ByteBuffer src, byte[] dst) {
    int n = Math.min(src.remaining(), dst.length);
    src.get(dst, 0, n);
    return n;
  }
}
