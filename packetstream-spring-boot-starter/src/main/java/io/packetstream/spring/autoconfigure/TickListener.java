package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.context.ActivityTick;
import io.packetstream.wire.Packet;

/**
 * Gives the activity tick the original's label for each packet, with the connection's real name
 * (the core's own tick does not say which connection, and a server has many).
 */
final class TickListener implements TrafficListener {

  private final ActivityTick tick;

  TickListener(ActivityTick tick) {
    this.tick = tick;
  }

  @Override
  public void packetSent(PacketConnection connection, Packet packet, int bytes) {
    tick.tick(connection.name(), label(">", packet));
  }

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    tick.tick(connection.name(), label("<", packet));
  }

  private static String label(String direction, Packet p) {
    if (p.isEof()) {
      return direction + "EOF";
    }
    if (p.isErq()) {
      return direction + "ERQ";
    }
    return direction + (p.request() ? "Q" : "A");
  }
}
