package io.packetstream.transport;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A scripted peer over a real socket that writes whatever bytes a test gives it, well-formed or
 * not, and reads what comes back: the bad peer of the bad-input tests.
 */
public final class RawPeer implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final PacketCodec codec = new PacketCodec();

  /** Connects to a server on 127.0.0.1. */
  public RawPeer(int port) throws IOException {
    this(port, 0);
  }

  /**
   * Connects to a server on 127.0.0.1 with a receive buffer of {@code receiveBuffer} bytes (0: the
   * system's), so that a peer that does not read holds back little in its socket.
   */
  public RawPeer(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends one well-formed packet. */
  public RawPeer send(Packet p) throws IOException {
    out.write(PacketCodec.encode(p));
    out.flush();
    return this;
  }

  /** Sends raw bytes, whatever they are. */
  public RawPeer sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** The port this end of the socket has: the server sees it as the peer's. */
  public int localPort() {
    return socket.getLocalPort();
  }

  /** Ends the sending side, as a peer that vanishes mid-frame does. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** The next packet from the server; fails the test after 10 s of silence. */
  public Packet receive() throws IOException {
    Packet p = codec.read(in);
    if (p == null) {
      throw new IOException("the server ended the stream");
    }
    return p;
  }

  /** Reads until the server ends the stream (or closes the socket); false on 10 s of silence. */
  public boolean awaitEnd() throws IOException {
    try {
      while (true) {
        Packet p = codec.read(in);
        if (p == null) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
