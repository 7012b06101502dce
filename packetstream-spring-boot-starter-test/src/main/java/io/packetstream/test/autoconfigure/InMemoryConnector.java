package io.packetstream.test.autoconfigure;

import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.handler.PacketHandlerTransport;
import io.packetstream.test.PacketStreamTester;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connects the tester to the application without a socket: two pipes, the application's end built
 * as the server builds its connections (handlers, interceptors, observations, connection events),
 * so the application sees an ordinary server connection named {@code SERVER#in-memory-N}. The
 * application's end closes when the tester's ends; the pipes close once both have ended. A bean
 * with {@code packetstream.test.transport=in-memory}: it serves the application's handlers, so the
 * starter does not warn that nothing does.
 */
final class InMemoryConnector implements PacketStreamTester.Connector, PacketHandlerTransport {

  private final PacketConnectionBuilders builders;
  private final String serverName;
  private final AtomicInteger opened = new AtomicInteger();

  InMemoryConnector(PacketConnectionBuilders builders, String serverName) {
    this.builders = builders;
    this.serverName = serverName;
  }

  @Override
  public PacketConnection open(PacketConnection.Builder testerEnd) throws IOException {
    Pipe toApplication = Pipe.open();
    Pipe toTester = Pipe.open();
    List<Closeable> pipes =
        List.of(toApplication.sink(), toApplication.source(), toTester.sink(), toTester.source());
    PacketConnection application;
    PacketConnection tester;
    try {
      application =
          builders
              .builder(ConnectionRole.SERVER, serverName)
              .name(serverName + "#in-memory-" + opened.incrementAndGet())
              .open(toApplication.source(), toTester.sink());
      try {
        tester = testerEnd.open(toTester.source(), toApplication.sink());
      } catch (IOException | RuntimeException e) {
        application.abort();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      closeAll(pipes);
      throw e;
    }
    // a tester that closed gracefully did so with the application's end closing too, which may
    // still read its last answers: it closes. One that aborted left the application's end open, as
    // a socket's reset would: it ends at once, rather than waiting out its close timeout for an EOF
    // or for handlers whose answers nobody will read
    tester
        .termination()
        .whenComplete(
            (v, e) -> {
              boolean closing = application.state() != ConnectionState.OPEN;
              closeAll(List.of(toApplication.sink(), toTester.source()));
              if (closing) {
                application.close();
              } else {
                application.abort();
              }
            });
    CompletableFuture.allOf(
            tester.termination().toCompletableFuture(),
            application.termination().toCompletableFuture())
        .whenComplete((v, e) -> closeAll(pipes));
    return tester;
  }

  private static void closeAll(List<Closeable> pipes) {
    for (Closeable pipe : pipes) {
      try {
        pipe.close();
      } catch (IOException e) {
        // nothing more to do with it
      }
    }
  }
}
