package io.packetstream.connection;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.WritableByteChannel;

/**
 * A connection's selectable channels (a socket channel, TCP or Unix domain, or the ends of two
 * pipes) on an {@link EventLoop}: the loop reads whenever bytes arrive, into its own buffer, and
 * finishes writes the channel could not take at once. Nothing here holds a thread while the
 * connection is idle.
 *
 * <p>Threads: the loop thread alone reads and changes interest sets; other threads ask it to
 * through {@link EventLoop#execute}. Writes come from whichever thread owns the connection's {@link
 * Outbound} at the time, non-blocking.
 */
final class ChannelIo extends LoopIo {

  private final ReadableByteChannel in;
  private final WritableByteChannel out;
  private final Closeable owner;
  private SelectionKey readKey; // loop thread
  private SelectionKey writeKey; // loop thread; readKey when in and out are one channel
  private boolean wantWrite; // loop thread

  ChannelIo(
      ReadableByteChannel in,
      WritableByteChannel out,
      Closeable owner,
      SocketAddress remote,
      EventLoop loop)
      throws IOException {
    super(remote, loop);
    this.in = in;
    this.out = out;
    this.owner = owner;
    ((SelectableChannel) in).configureBlocking(false);
    if (out != in) {
      ((SelectableChannel) out).configureBlocking(false);
    }
  }

  static boolean selectable(ReadableByteChannel in, WritableByteChannel out) {
    return in instanceof SelectableChannel && out instanceof SelectableChannel;
  }

  @Override
  void register() {
    if (closed) {
      return;
    }
    try {
      readKey = loop.register((SelectableChannel) in, paused ? 0 : SelectionKey.OP_READ, this);
      if (out == in) {
        writeKey = readKey;
      } else {
        writeKey =
            loop.register(
                (SelectableChannel) out,
                0,
                new EventLoop.Ready() {
                  @Override
                  public void ready(int readyOps) {
                    writableNow();
                  }

                  @Override
                  public void failed(Throwable error) {
                    connection.ioFailed(error);
                  }
                });
      }
      updateInterest();
    } catch (IOException | RuntimeException e) {
      connection.ioFailed(e);
    }
  }

  @Override
  public void ready(int readyOps) throws IOException {
    if ((readyOps & SelectionKey.OP_WRITE) != 0 && writeKey == readKey) {
      writableNow();
    }
    if ((readyOps & SelectionKey.OP_READ) != 0 && !paused && !closed) {
      read();
    }
  }

  private void read() throws IOException {
    ByteBuffer buf = loop.readBuffer();
    connection.beginBatch();
    try {
      for (int i = 0; i < READS_PER_EVENT && !paused && !closed; i++) {
        buf.clear();
        int n = in.read(buf);
        if (n < 0) {
          paused = true;
          updateInterest();
          connection.receivedEnd();
          return;
        }
        if (n == 0) {
          return;
        }
        buf.flip();
        if (!connection.received(buf, n) || n < buf.capacity()) {
          return;
        }
      }
    } finally {
      connection.endBatch();
    }
  }

  private void writableNow() {
    wantWrite = false;
    updateInterest();
    connection.writable();
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return out.write(src);
  }

  @Override
  public void awaitWritable() {
    onLoop(
        () -> {
          wantWrite = true;
          updateInterest();
        });
  }

  @Override
  void resumed() {
    updateInterest();
  }

  @Override
  void updateInterest() {
    if (readKey == null || closed) {
      return;
    }
    try {
      int read = paused ? 0 : SelectionKey.OP_READ;
      int write = wantWrite ? SelectionKey.OP_WRITE : 0;
      if (writeKey == readKey) {
        readKey.interestOps(read | write);
      } else {
        readKey.interestOps(read);
        writeKey.interestOps(write);
      }
    } catch (CancelledKeyException e) {
      // closed meanwhile
    }
  }

  @Override
  void close() {
    closed = true;
    Runnable cancel =
        () -> {
          if (readKey != null) {
            readKey.cancel();
          }
          if (writeKey != null) {
            writeKey.cancel();
          }
        };
    onLoop(cancel);
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
