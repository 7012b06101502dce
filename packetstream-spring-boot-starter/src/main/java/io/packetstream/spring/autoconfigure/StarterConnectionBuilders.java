package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.connection.ActivityTick;
import io.packetstream.spring.connection.ConnectionRole;
import io.packetstream.spring.connection.PacketConnectionBuilders;
import io.packetstream.spring.connection.PacketConnectionCustomizer;
import io.packetstream.spring.handler.PacketHandlers;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Builders with the {@code packetstream.*} limits, the {@code @PacketHandler} routers, the
 * handler executor (virtual threads when Spring's are enabled), the activity tick and every
 * customizer applied, in that order.
 */
final class StarterConnectionBuilders implements PacketConnectionBuilders {

  private final PacketStreamProperties properties;
  private final PacketHandlers handlers;
  private final Executor executor;
  private final ObjectProvider<ActivityTick> tick;
  private final ObjectProvider<PacketConnectionCustomizer> customizers;

  StarterConnectionBuilders(PacketStreamProperties properties, PacketHandlers handlers,
      Executor executor, ObjectProvider<ActivityTick> tick,
      ObjectProvider<PacketConnectionCustomizer> customizers) {
    this.properties = properties;
    this.handlers = handlers;
    this.executor = executor;
    this.tick = tick;
    this.customizers = customizers;
  }

  @Override
  public PacketConnection.Builder builder(ConnectionRole role, String name) {
    PacketStreamProperties p = properties;
    PacketConnection.Builder b = PacketConnection.builder()
        .name(name)
        .maxFrameLength(Math.toIntExact(p.getMaxFrameSize().toBytes()))
        .maxConcurrentRequests(p.getMaxConcurrentRequests())
        .maxQueuedRequests(p.getMaxQueuedRequests())
        .maxPendingRequests(p.getMaxPendingRequests())
        .requestTimeout(p.getRequestTimeout())
        .closeTimeout(p.getCloseTimeout())
        .packetGrace(p.getPacketGrace())
        .readSpin(p.getReadSpin())
        .sendErq(p.isSendErq());
    handlers.byChannel().forEach(b::handler);
    if (executor != null) {
      b.executor(executor);
    }
    if (p.isTick()) {
      ActivityTick t = tick.getIfAvailable(() -> StandardErrorTick.INSTANCE);
      b.listener(new TickListener(t));
    }
    customizers.orderedStream().forEach(c -> c.customize(b, role, name));
    return b;
  }
}
