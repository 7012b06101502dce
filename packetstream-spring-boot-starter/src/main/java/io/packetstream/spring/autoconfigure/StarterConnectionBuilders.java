package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.ActivityTick;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.PacketHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.unit.DataSize;

/**
 * Builders with the {@code packetstream.*} limits, the liveness probes of the server or of the
 * named client, the {@code @PacketHandler} routers, the handler executor (virtual threads when
 * Spring's are enabled), the activity tick and every customizer applied, in that order.
 */
final class StarterConnectionBuilders implements PacketConnectionBuilders {

  private final PacketStreamProperties properties;
  private final PacketHandlers handlers;
  private final @Nullable Executor executor;
  private final ObjectProvider<ActivityTick> tick;
  private final ObjectProvider<PacketConnectionCustomizer> customizers;
  private final @Nullable EventLoopGroup eventLoops;

  StarterConnectionBuilders(
      PacketStreamProperties properties,
      PacketHandlers handlers,
      @Nullable Executor executor,
      ObjectProvider<ActivityTick> tick,
      ObjectProvider<PacketConnectionCustomizer> customizers,
      @Nullable EventLoopGroup eventLoops) {
    this.eventLoops = eventLoops;
    this.properties = properties;
    this.handlers = handlers;
    this.executor = executor;
    this.tick = tick;
    this.customizers = customizers;
  }

  /**
   * A builder with the {@code packetstream.*} limits of {@code p}; a value the connection does not
   * accept fails for its property. The auto-configuration calls this once at start-up.
   */
  static PacketConnection.Builder limits(PacketStreamProperties p) {
    PacketConnection.Builder b = PacketConnection.builder();
    PropertyCheck.apply(
        "packetstream.max-frame-size",
        p.getMaxFrameSize(),
        () -> b.maxFrameLength(frameLength(p.getMaxFrameSize())));
    PropertyCheck.apply(
        "packetstream.max-concurrent-requests",
        p.getMaxConcurrentRequests(),
        () -> b.maxConcurrentRequests(p.getMaxConcurrentRequests()));
    PropertyCheck.apply(
        "packetstream.max-queued-requests",
        p.getMaxQueuedRequests(),
        () -> b.maxQueuedRequests(p.getMaxQueuedRequests()));
    PropertyCheck.apply(
        "packetstream.max-outbound-frame-size",
        p.getMaxOutboundFrameSize(),
        () -> b.maxOutboundFrameLength(frameLength(p.getMaxOutboundFrameSize())));
    PropertyCheck.apply(
        "packetstream.max-queued-request-size",
        p.getMaxQueuedRequestSize(),
        () -> b.maxQueuedRequestBytes(p.getMaxQueuedRequestSize().toBytes()));
    PropertyCheck.apply(
        "packetstream.max-queued-answer-size",
        p.getMaxQueuedAnswerSize(),
        () -> b.maxQueuedAnswerBytes(p.getMaxQueuedAnswerSize().toBytes()));
    PropertyCheck.apply(
        "packetstream.max-pending-requests",
        p.getMaxPendingRequests(),
        () -> b.maxPendingRequests(p.getMaxPendingRequests()));
    PropertyCheck.apply(
        "packetstream.request-timeout",
        p.getRequestTimeout(),
        () -> b.requestTimeout(p.getRequestTimeout()));
    PropertyCheck.apply(
        "packetstream.close-timeout",
        p.getCloseTimeout(),
        () -> b.closeTimeout(p.getCloseTimeout()));
    PropertyCheck.apply(
        "packetstream.packet-grace", p.getPacketGrace(), () -> b.packetGrace(p.getPacketGrace()));
    PropertyCheck.apply(
        "packetstream.read-spin", p.getReadSpin(), () -> b.readSpin(p.getReadSpin()));
    b.sendErq(p.isSendErq());
    return b;
  }

  /**
   * Applies the probe settings under {@code prefix} ({@code packetstream.server} or {@code
   * packetstream.clients.<name>}); a value the connection does not accept fails for its property.
   * The auto-configurations call this at start-up too, to fail early.
   */
  static PacketConnection.Builder probes(
      PacketConnection.Builder b, String prefix, Duration interval, Duration timeout) {
    PropertyCheck.apply(prefix + ".probe-interval", interval, () -> b.probeInterval(interval));
    PropertyCheck.apply(prefix + ".probe-timeout", timeout, () -> b.probeTimeout(timeout));
    return b;
  }

  /**
   * Checks the timeouts of the server's and of every client's connections, failing for the first
   * value a connection would not accept, naming its property.
   */
  static void checkTimeouts(PacketStreamProperties p) {
    PacketStreamProperties.Server s = p.getServer();
    timeouts(
        PacketConnection.builder(), "packetstream.server", s.getIdleTimeout(), s.getReadTimeout());
    p.getClients()
        .forEach(
            (name, c) ->
                timeouts(
                    PacketConnection.builder(),
                    "packetstream.clients." + name,
                    c.getIdleTimeout(),
                    c.getReadTimeout()));
  }

  private static void timeouts(
      PacketConnection.Builder b, String prefix, Duration idle, Duration read) {
    PropertyCheck.apply(prefix + ".idle-timeout", idle, () -> b.idleTimeout(idle));
    PropertyCheck.apply(prefix + ".read-timeout", read, () -> b.readTimeout(read));
  }

  private static int frameLength(DataSize size) {
    long bytes = size.toBytes();
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a frame is at most " + Integer.MAX_VALUE + " bytes");
    }
    return (int) bytes;
  }

  /** The handler executor the builders get; null for the core's default. For tests. */
  @Nullable Executor executor() {
    return executor;
  }

  @Override
  public PacketConnection.Builder builder(ConnectionRole role, String name) {
    PacketStreamProperties p = properties;
    PacketConnection.Builder b = limits(p).name(name);
    PacketStreamProperties.Client client = p.getClients().get(name);
    if (role == ConnectionRole.SERVER) {
      PacketStreamProperties.Server s = p.getServer();
      probes(b, "packetstream.server", s.getProbeInterval(), s.getProbeTimeout());
      b.idleTimeout(s.getIdleTimeout()).readTimeout(s.getReadTimeout());
    } else if (client != null) {
      probes(
          b, "packetstream.clients." + name, client.getProbeInterval(), client.getProbeTimeout());
      b.idleTimeout(client.getIdleTimeout()).readTimeout(client.getReadTimeout());
    }
    handlers.byChannel().forEach(b::handler);
    if (executor != null) {
      b.executor(executor);
    }
    if (eventLoops != null) {
      b.eventLoops(eventLoops);
    }
    if (p.isTick()) {
      // every ActivityTick bean hears every packet; standard error when there is none
      List<ActivityTick> ticks = tick.orderedStream().toList();
      if (ticks.isEmpty()) {
        b.listener(new TickListener(StandardErrorTick.INSTANCE));
      }
      for (ActivityTick t : ticks) {
        b.listener(new TickListener(t));
      }
    }
    customizers.orderedStream().forEach(c -> c.customize(b, role, name));
    return b;
  }
}
