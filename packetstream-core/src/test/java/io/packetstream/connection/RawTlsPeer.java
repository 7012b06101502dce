package io.packetstream.connection;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A TLS peer driven by hand over a blocking socket channel: the test decides which records go out
 * in which write (packets and the close_notify together, say), which a connection on an engine
 * never lets it choose. One thread at a time.
 */
final class RawTlsPeer implements AutoCloseable {

  private static final int MAX_HANDSHAKE_STEPS = 1000;

  private final SocketChannel channel;
  private final SSLEngine engine;
  private final ByteBuffer netIn;
  private final ByteBuffer app;

  /** Connects {@code channel} (blocking) through {@code engine}, completing the handshake. */
  RawTlsPeer(SocketChannel channel, SSLEngine engine) throws IOException {
    this.channel = channel;
    this.engine = engine;
    channel.configureBlocking(true);
    netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
    app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
    handshake();
  }

  private void handshake() throws IOException {
    engine.beginHandshake();
    for (int step = 0; step < MAX_HANDSHAKE_STEPS; step++) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      switch (hs) {
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        case NEED_WRAP -> channelWrite(wrap(ByteBuffer.allocate(0)));
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          netIn.flip();
          SSLEngineResult r = engine.unwrap(netIn, app);
          netIn.compact();
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(netIn) < 0) {
            throw new SSLException("the server ended the connection during the handshake");
          }
        }
        default -> {
          return;
        }
      }
    }
    throw new SSLException("no handshake in " + MAX_HANDSHAKE_STEPS + " steps");
  }

  /** The records {@code plain} wraps into. */
  byte[] wrap(ByteBuffer plain) throws SSLException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    do {
      net.clear();
      SSLEngineResult r = engine.wrap(plain, net);
      if (r.getStatus() != SSLEngineResult.Status.OK
          && r.getStatus() != SSLEngineResult.Status.CLOSED) {
        throw new SSLException("wrap: " + r);
      }
      out.write(net.array(), 0, net.position());
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        break;
      }
    } while (plain.hasRemaining());
    return out.toByteArray();
  }

  /** The records of {@code packets}, encoded one after the other. */
  byte[] records(Packet... packets) throws SSLException {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    for (Packet p : packets) {
      plain.writeBytes(PacketCodec.encode(p));
    }
    return wrap(ByteBuffer.wrap(plain.toByteArray()));
  }

  /** The close_notify record. */
  byte[] closeNotify() throws SSLException {
    engine.closeOutbound();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
      out.writeBytes(wrap(ByteBuffer.allocate(0)));
    }
    return out.toByteArray();
  }

  /** Writes {@code parts} to the channel in one write. */
  void send(byte[]... parts) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    channelWrite(all.toByteArray());
  }

  private void channelWrite(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /**
   * Reads and drops the network bytes until the other end closes, at most {@code maxBytes} of them;
   * returns how many came.
   */
  long drain(long maxBytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    long total = 0;
    while (total < maxBytes) {
      b.clear();
      int n = channel.read(b);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
