package io.packetstream.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ServerSocketFactory;

/**
 * A server socket factory that makes its sockets with a test's code: a server socket whose {@code
 * accept} fails, or hands back sockets that fail, the way a tired system would.
 */
final class ServerSockets extends ServerSocketFactory {

  /** Makes one unbound server socket; the server binds it. */
  @FunctionalInterface
  interface Maker {
    ServerSocket make() throws IOException;
  }

  private final Maker maker;

  ServerSockets(Maker maker) {
    this.maker = maker;
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return maker.make();
  }

  @Override
  public ServerSocket createServerSocket(int port) {
    throw new UnsupportedOperationException("the server binds an unbound socket");
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) {
    throw new UnsupportedOperationException("the server binds an unbound socket");
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
    throw new UnsupportedOperationException("the server binds an unbound socket");
  }
}
