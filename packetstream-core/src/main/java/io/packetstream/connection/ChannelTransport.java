package io.packetstream.connection;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * A transport over channels: a {@link java.nio.channels.SocketChannel} (TCP or Unix domain) or the
 * ends of {@link java.nio.channels.Pipe}s.
 *
 * <p>Selectable channels are put in non-blocking mode, each direction with a selector of its own
 * to wait on, so that the reader thread can write a burst of answers itself with
 * {@link #tryWrite} instead of handing it to the writer thread: one thread wake-up less per round
 * trip, and never a reader stuck on a peer that does not read. Other channels block as usual.
 *
 * <p>With a read spin, a reader that finds a selectable channel of a busy connection empty keeps
 * trying for that long before it waits on the selector: bytes that arrive meanwhile are read at
 * once, without the wake-up of a sleeping thread, which on a busy request/response connection is
 * most of a round trip's time. {@link ReadSpin} decides when a spin is worth it.
 */
final class ChannelTransport implements Transport {

  private final ReadableByteChannel in;
  private final WritableByteChannel out;
  private final Closeable owner;
  private final SocketAddress remote;
  private final Selector readable;
  private final Selector writable;
  private final ReadSpin spin;

  ChannelTransport(ReadableByteChannel in, WritableByteChannel out, Closeable owner, SocketAddress remote,
      Duration readSpin) throws IOException {
    this.in = in;
    this.spin = new ReadSpin(readSpin);
    this.out = out;
    this.owner = owner;
    this.remote = remote;
    if (in instanceof SelectableChannel sin && out instanceof SelectableChannel sout) {
      sin.configureBlocking(false);
      sout.configureBlocking(false);
      readable = Selector.open();
      writable = Selector.open();
      sin.register(readable, SelectionKey.OP_READ);
      sout.register(writable, SelectionKey.OP_WRITE);
    } else {
      readable = null;
      writable = null;
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = in.read(dst);
    if (n != 0 || readable == null) {
      return n;
    }
    if (spin.tryStart()) {
      boolean caught = false;
      try {
        n = spin(dst);
        caught = n != 0;
      } finally {
        spin.spun(caught);
      }
      if (caught) {
        return n;
      }
    }
    long asleep = System.nanoTime();
    while (true) {
      await(readable);
      if ((n = in.read(dst)) != 0) {
        spin.slept(System.nanoTime() - asleep);
        return n;
      }
    }
  }

  /** Tries to read until the spin time is up; 0 if nothing came. */
  private int spin(ByteBuffer dst) throws IOException {
    long deadline = System.nanoTime() + spin.nanos();
    int n;
    while ((n = in.read(dst)) == 0 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
    return n;
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (out.write(src) == 0 && writable != null) {
        await(writable);
      }
    }
  }

  @Override
  public boolean tryWrite(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (out.write(src) == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean canWriteWithoutBlocking() {
    return writable != null;
  }

  private void await(Selector selector) throws IOException {
    try {
      selector.select();
      selector.selectedKeys().clear();
    } catch (ClosedSelectorException e) {
      throw new AsynchronousCloseException();
    }
  }

  /** Direct: a channel copies a heap buffer through a direct one of its own on every call. */
  @Override
  public ByteBuffer allocate(int capacity) {
    return ByteBuffer.allocateDirect(capacity);
  }

  @Override
  public void flush() {
    // channels write straight through
  }

  @Override
  public void close() throws IOException {
    try {
      if (owner != null) {
        owner.close();
      }
    } finally {
      // wakes a reader or writer waiting on a selector, owned channel or not
      if (readable != null) {
        readable.close();
        writable.close();
      }
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
