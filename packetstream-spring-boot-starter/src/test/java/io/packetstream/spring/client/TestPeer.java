package io.packetstream.spring.client;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of a service for balanced-client tests: a core server on 127.0.0.1 that answers
 * every request with its label and counts them; while {@link #hold} is set it takes requests and
 * never answers them (a slow or stuck instance).
 */
final class TestPeer implements AutoCloseable {

  final String label;
  final PacketServer server;
  final AtomicInteger answered = new AtomicInteger();
  final AtomicInteger held = new AtomicInteger();
  volatile boolean hold;

  /** Completes the held requests (ok) when completed. */
  final CompletableFuture<Response> release = new CompletableFuture<>();

  TestPeer(String label) throws IOException {
    this.label = label;
    this.server =
        PacketServer.builder(
                PacketConnection.builder()
                    .handler(
                        rq -> {
                          if (hold) {
                            held.incrementAndGet();
                            return Reply.later(release);
                          }
                          answered.incrementAndGet();
                          return Response.ok(label);
                        }))
            .name(label)
            .bind(new InetSocketAddress("127.0.0.1", 0));
  }

  int port() {
    return server.port();
  }

  /** The address as {@code host:port}. */
  String address() {
    return "127.0.0.1:" + port();
  }

  /** Ends the server and its connections at once, as a crash would, answering nothing. */
  void kill() {
    server.abort();
  }

  @Override
  public void close() {
    release.complete(Response.ok(label + " released"));
    server.abort();
  }
}
