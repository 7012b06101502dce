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

  /** Reads some bytes into {@code dst}'s array; returns how many, or -1 at end of stream. */
  int read(ByteBuffer dst) throws IOException;

  /** Writes all of {@code src}'s remaining bytes. */
  void write(ByteBuffer src) throws IOException;

  /** Pushes written bytes to the peer. */
  void flush() throws IOException;

  /** Closes the underlying stream(s) if this transport owns them; otherwise does nothing. */
  void close() throws IOException;

  /** Whether {@link #close} releases the underlying stream(s). */
  boolean owned();

  /** The peer's address, when the stream is a socket. */
  Optional<SocketAddress> remoteAddress();
}
