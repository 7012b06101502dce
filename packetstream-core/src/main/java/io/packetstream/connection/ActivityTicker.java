package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.function.Consumer;

/**
 * The original's crude activity display: passes a short label for every packet sent or received to
 * a tick callback ({@code >} sent, {@code <} received, then {@code Q} request, {@code A} answer,
 * {@code EOF} or {@code ERQ}).
 */
final class ActivityTicker implements TrafficListener {

  private final Consumer<String> tick;

  ActivityTicker(Consumer<String> tick) {
    this.tick = tick;
  }

  @Override
  public void packetSent(PacketConnection connection, Packet packet, int bytes) {
    tick.accept(label('>', packet));
  }

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    tick.accept(label('<', packet));
  }

  static String label(char direction, Packet p) {
    if (p.isEof()) {
      return direction + "EOF";
    }
    if (p.isErq()) {
      return direction + "ERQ";
    }
    return direction + (p.request() ? "Q" : "A");
  }
}
