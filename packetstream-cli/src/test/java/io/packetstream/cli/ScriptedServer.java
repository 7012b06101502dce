package io.packetstream.cli;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server on 127.0.0.1 that plays a script on each connection over a raw socket, with none of the
 * core's connection logic: the wrong peer that the core would never be.
 */
final class ScriptedServer implements AutoCloseable {

  /** What the server does on one accepted connection. */
  @FunctionalInterface
  interface Script {
    void play(Peer peer) throws IOException;
  }

  /** One accepted connection: read and write packets. */
  static final class Peer {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final PacketCodec codec = new PacketCodec(ConformanceServerCommand.MAX_FRAME);

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      socket.setTcpNoDelay(true);
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** The next packet, or null when the stream ends (or the socket is closed). */
    Packet receive() {
      try {
        return codec.read(in);
      } catch (IOException e) {
        return null;
      }
    }

    /** Sends one packet in one write. */
    synchronized void send(Packet p) throws IOException {
      out.write(PacketCodec.encode(p));
      out.flush();
    }

    /** Answers a request ok with these flags and payload. */
    void answer(Packet request, long flags, byte[] payload) throws IOException {
      send(Packet.response(request.channel(), request.tag(), true, flags, payload));
    }
  }

  private final ServerSocket listener;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  ScriptedServer(Script script) throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (true) {
                Socket s;
                try {
                  s = listener.accept();
                } catch (IOException e) {
                  return;
                }
                accepted.add(s);
                Thread t =
                    new Thread(
                        () -> {
                          try (s) {
                            script.play(new Peer(s));
                          } catch (IOException e) {
                            // the client went away: nothing more to play
                          }
                        },
                        "scripted peer");
                t.setDaemon(true);
                t.start();
              }
            },
            "scripted server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  String portText() {
    return Integer.toString(port());
  }

  /** Connections accepted so far. */
  int acceptedCount() {
    return accepted.size();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : accepted) {
      s.close();
    }
  }
}
