package io.packetstream.connection;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The byte stream under a connection: one thread reads, another writes, at the same time.
 * Implementations adapt stream pairs and channels.
 */
interface Transport {

  /** Reads some bytes into {@code dst}, blocking until there are some; -1 at end of stream. */
  int read(ByteBuffer dst) throws IOException;

  /** Writes all of {@code src}'s remaining bytes, blocking as long as it takes. */
  void write(ByteBuffer src) throws IOException;

  /**
   * Writes what it can of {@code src} without blocking; true if nothing remains. Only for
   * transports whose {@link #canWriteWithoutBlocking()} is true.
   */
  default boolean tryWrite(ByteBuffer src) throws IOException {
    throw new UnsupportedOperationException("this transport can only block");
  }

  /** Whether {@link #tryWrite} works, so the reader thread may write without risk of blocking. */
  default boolean canWriteWithoutBlocking() {
    return false;
  }

  /** A buffer of the kind this transport reads and writes fastest. */
  default ByteBuffer allocate(int capacity) {
    return ByteBuffer.allocate(capacity);
  }

  /** Pushes written bytes to the peer. */
  void flush() throws IOException;

  /**
   * Closes the underlying stream(s) if this transport owns them, and in any case releases a
   * reader or writer blocked in it where the transport can.
   */
  void close() throws IOException;

  /** Whether {@link #close} releases the underlying stream(s). */
  boolean owned();

  /** The peer's address, when the stream is a socket. */
  Optional<SocketAddress> remoteAddress();
}
