package io.packetstream.connection;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A connection over blocking streams (an InputStream/OutputStream pair, a plain or TLS {@link
 * java.net.Socket}, channels that cannot be selected): a reader thread blocks reading and hands the
 * bytes to the connection, and a writer thread drains its {@link Outbound}.
 */
final class StreamIo extends Io {

  /** Reads some bytes into the array; -1 at the end. */
  interface Reader {
    int read(byte[] b, int off, int len) throws IOException;
  }

  /** Writes all of the array's bytes. */
  interface Writer {
    void write(byte[] b, int off, int len) throws IOException;

    void flush() throws IOException;
  }

  private final Reader in;
  private final Writer out;
  private final Closeable owner;
  private final int bufferSize;
  private PacketConnection connection;
  private Thread reader;
  private Thread writer;
  private final Object pause = new Object();
  private boolean paused; // guarded by pause
  private boolean resumed; // guarded by pause: the reader must hand on what it kept
  private volatile boolean closed;
  private byte[] spare; // the writer's, for direct buffers

  StreamIo(Reader in, Writer out, Closeable owner, SocketAddress remote, int bufferSize) {
    super(remote);
    this.in = in;
    this.out = out;
    this.owner = owner;
    this.bufferSize = bufferSize;
  }

  /** The socket when it is a TLS one, for its session; else null. */
  private volatile javax.net.ssl.SSLSocket tls;

  /** Marks the stream as {@code socket}'s, a TLS socket. */
  StreamIo over(javax.net.ssl.SSLSocket socket) {
    this.tls = socket;
    return this;
  }

  @Override
  java.util.Optional<javax.net.ssl.SSLSession> tlsSession() {
    javax.net.ssl.SSLSocket s = tls;
    if (s == null) {
      return java.util.Optional.empty();
    }
    // the connection asks only once bytes have crossed the socket, so the handshake is done; a
    // failed one leaves the null session
    javax.net.ssl.SSLSession session = s.getSession();
    return "SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite())
        ? java.util.Optional.empty()
        : java.util.Optional.of(session);
  }

  static StreamIo of(
      InputStream in, OutputStream out, Closeable owner, SocketAddress remote, int bufferSize) {
    return new StreamIo(
        in::read,
        new Writer() {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void flush() throws IOException {
            out.flush();
          }
        },
        owner,
        remote,
        bufferSize);
  }

  static StreamIo of(ReadableByteChannel in, WritableByteChannel out, int bufferSize) {
    return new StreamIo(
        (b, off, len) -> in.read(ByteBuffer.wrap(b, off, len)),
        new Writer() {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer src = ByteBuffer.wrap(b, off, len);
            while (src.hasRemaining()) {
              out.write(src);
            }
          }

          @Override
          public void flush() {
            // channels write straight through
          }
        },
        null,
        null,
        bufferSize);
  }

  @Override
  void start(PacketConnection connection) {
    this.connection = connection;
    reader = connection.newThread(this::readLoop, "reader");
    writer = connection.newThread(connection::runWriter, "writer");
    connection.writerThread(writer);
    writer.start();
    reader.start();
  }

  @Override
  Thread readerThread() {
    return reader;
  }

  @Override
  Thread writerThread() {
    return writer;
  }

  @Override
  boolean nonBlocking() {
    return false;
  }

  private void readLoop() {
    byte[] bytes = new byte[bufferSize];
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      while (!closed) {
        synchronized (pause) {
          while (paused && !closed) {
            pause.wait();
          }
          if (resumed) {
            resumed = false;
            if (!connection.resumeInput()) {
              paused = true;
              continue;
            }
          }
        }
        int n = in.read(bytes, 0, bytes.length);
        if (n < 0) {
          connection.receivedEnd();
          return;
        }
        if (n == 0) {
          continue;
        }
        buf.clear().limit(n);
        connection.received(buf, n);
      }
    } catch (Throwable t) {
      if (!closed) {
        connection.ioFailed(t);
      }
    } finally {
      connection.readerExited();
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (src.hasArray()) {
      out.write(src.array(), src.arrayOffset() + src.position(), n);
      src.position(src.limit());
      return n;
    }
    if (spare == null) {
      spare = new byte[8192];
    }
    while (src.hasRemaining()) {
      int k = copy(src, spare);
      out.write(spare, 0, k);
    }
    return n;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  void pauseReading() {
    synchronized (pause) {
      paused = true;
    }
  }

  @Override
  void resumeReading() {
    synchronized (pause) {
      if (paused) {
        paused = false;
        resumed = true;
        pause.notifyAll();
      }
    }
  }

  @Override
  void close() {
    closed = true;
    synchronized (pause) {
      pause.notifyAll();
    }
    if (owner != null) {
      try {
        owner.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  @Override
  boolean owned() {
    return owner != null;
  }
}
