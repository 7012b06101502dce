package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionEvent;
import io.packetstream.spring.observation.DefaultPacketStreamObservationConvention;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Liveness probes in a real application context: a client whose peer goes silent notices it by its
 * probe and reconnects; a client whose peer refuses the probe type, as the Python original does,
 * stays connected; a server set to probe drops a silent peer.
 */
@Timeout(60)
class LivenessProbeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aClientWhosePeerGoesSilentFailsItsConnectionByTheProbeAndReconnects() throws Exception {
    try (ScriptedPeer peer = new ScriptedPeer(request -> null);
        ConfigurableApplicationContext context = client(peer)) {
      PacketStreamClient client = context.getBean(PacketStreamClient.class);
      RecordedEvents events = context.getBean(RecordedEvents.class);

      await().atMost(WAIT).until(() -> peer.accepted.get() >= 2);
      PacketConnectionEvent.Failed failed =
          events.events.stream()
              .filter(
                  e ->
                      e instanceof PacketConnectionEvent.Failed
                          && e.role() == ConnectionRole.CLIENT)
              .map(PacketConnectionEvent.Failed.class::cast)
              .findFirst()
              .orElseThrow();
      assertThat(failed.cause())
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("liveness probe")
          .hasMessageContaining("probeTimeout=PT0.3S");
      assertThat(client.lastFailure()).get().asString().contains("liveness probe");
      assertThat(peer.probes()).isGreaterThanOrEqualTo(1);
      // connected again, to the same silent peer
      assertThat(client.awaitConnected(WAIT)).isTrue();
    }
  }

  @Test
  void aClientWhosePeerRefusesTheProbeTypeStaysConnected() throws Exception {
    byte[] refusal = "exception during handler".getBytes(StandardCharsets.US_ASCII);
    try (ScriptedPeer peer =
            new ScriptedPeer(
                request -> Packet.response(request.channel(), request.tag(), false, 0, refusal));
        ConfigurableApplicationContext context = client(peer)) {
      PacketStreamClient client = context.getBean(PacketStreamClient.class);
      RecordedEvents events = context.getBean(RecordedEvents.class);
      assertThat(client.awaitConnected(WAIT)).isTrue();
      PacketConnection first = client.connection().orElseThrow();

      // several probes, each refused, each more than a probe timeout after the one before
      await().atMost(WAIT).until(() -> peer.probes() >= 4 || first.state().isTerminal());
      assertThat(first.state()).isEqualTo(ConnectionState.OPEN);
      assertThat(client.connection()).containsSame(first);
      assertThat(peer.accepted.get()).isEqualTo(1);
      assertThat(events.events).noneMatch(e -> e instanceof PacketConnectionEvent.Failed);
    }
  }

  @Test
  void aServerSetToProbeDropsASilentPeer() throws Exception {
    try (ConfigurableApplicationContext context =
            new SpringApplicationBuilder(TestApplication.class)
                .web(WebApplicationType.NONE)
                .properties(
                    "packetstream.server.port=0",
                    "packetstream.server.address=127.0.0.1",
                    "packetstream.server.probe-interval=200ms",
                    "packetstream.server.probe-timeout=300ms",
                    "spring.main.banner-mode=off")
                .run();
        Socket silent = new Socket()) {
      int port =
          context.getEnvironment().getProperty("local.packetstream.server.port", Integer.class);
      silent.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      silent.setSoTimeout(10_000);
      PacketCodec codec = new PacketCodec();
      Packet probe = codec.read(silent.getInputStream());
      assertThat(probe.request()).isTrue();
      assertThat(probe.rqType()).isEqualTo(PacketConnection.PROBE_TYPE);
      // no answer: the server fails the connection and closes the socket
      assertThat(readsToTheEnd(silent.getInputStream(), codec)).isTrue();
      RecordedEvents events = context.getBean(RecordedEvents.class);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  events.events.stream()
                      .anyMatch(
                          e ->
                              e instanceof PacketConnectionEvent.Failed f
                                  && f.role() == ConnectionRole.SERVER
                                  && f.cause().getMessage().contains("liveness probe")));
    }
  }

  @Test
  void probesBetweenTwoStarterEndsAreAnsweredWithoutHandlersOrRequestMeters() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TestApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.server.port=" + port,
                "packetstream.server.address=127.0.0.1",
                "packetstream.server.probe-interval=100ms",
                "packetstream.clients.self.host=127.0.0.1",
                "packetstream.clients.self.port=" + port,
                "packetstream.clients.self.probe-interval=100ms",
                "spring.main.banner-mode=off")
            .run()) {
      PacketStreamClient client = context.getBean(PacketStreamClient.class);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(client.awaitConnected(WAIT)).isTrue();
      PacketConnection connection = client.connection().orElseThrow();

      // both ends probe a quiet connection, and each answers the other's probes itself
      await().atMost(WAIT).until(() -> connection.packetsReceived() >= 6);
      assertThat(connection.state()).isEqualTo(ConnectionState.OPEN);
      assertThat(registry.find(DefaultPacketStreamObservationConvention.SERVER_REQUESTS).timers())
          .as("the server's request timers")
          .isEmpty();
      assertThat(registry.find(DefaultPacketStreamObservationConvention.CLIENT_REQUESTS).timers())
          .as("the client's request timers")
          .isEmpty();

      // a request of the application's is metered, as ever
      assertThat(client.call(1, 0, new byte[] {1}).ok()).isTrue();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  registry
                          .find(DefaultPacketStreamObservationConvention.SERVER_REQUESTS)
                          .timers()
                          .size()
                      == 1);
      assertThat(client.connection()).containsSame(connection);
    }
  }

  private static boolean readsToTheEnd(InputStream in, PacketCodec codec) throws IOException {
    try {
      for (int i = 0; i < 1000; i++) {
        if (codec.read(in) == null) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private static ConfigurableApplicationContext client(ScriptedPeer peer) {
    return new SpringApplicationBuilder(TestApplication.class)
        .web(WebApplicationType.NONE)
        .properties(
            "packetstream.clients.peer.host=127.0.0.1",
            "packetstream.clients.peer.port=" + peer.port(),
            "packetstream.clients.peer.probe-interval=200ms",
            "packetstream.clients.peer.probe-timeout=300ms",
            "packetstream.clients.peer.reconnect.initial-delay=50ms",
            "spring.main.banner-mode=off")
        .run();
  }

  /**
   * A peer on 127.0.0.1 that accepts up to 5 connections, reads all they send and answers each
   * request with what {@code answer} makes of it (null: nothing).
   */
  private static final class ScriptedPeer implements AutoCloseable {

    final AtomicInteger accepted = new AtomicInteger();
    final List<Packet> received = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final Function<Packet, Packet> answer;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ScriptedPeer(Function<Packet, Packet> answer) throws IOException {
      this.answer = answer;
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread acceptor = new Thread(this::accept, "scripted peer");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    long probes() {
      return received.stream()
          .filter(p -> p.request() && p.rqType() == PacketConnection.PROBE_TYPE)
          .count();
    }

    private void accept() {
      for (int i = 0; i < 5; i++) {
        try {
          Socket s = server.accept();
          s.setSoTimeout(30_000);
          sockets.add(s);
          accepted.incrementAndGet();
          Thread reader = new Thread(() -> serve(s), "scripted peer " + accepted.get());
          reader.setDaemon(true);
          reader.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(Socket s) {
      PacketCodec codec = new PacketCodec();
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 10_000; i++) {
          Packet p = codec.read(in);
          if (p == null || p.isEof()) {
            return;
          }
          received.add(p);
          Packet reply = p.request() && !p.isControl() ? answer.apply(p) : null;
          if (reply != null) {
            out.write(PacketCodec.encode(reply));
            out.flush();
          }
        }
      } catch (IOException e) {
        // the client closed the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
