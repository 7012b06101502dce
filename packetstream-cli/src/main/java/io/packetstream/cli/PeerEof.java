package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.wire.Packet;

/**
 * Records whether the peer sent EOF on the one connection it watches. A connection that never gets
 * the peer's EOF still ends when its close times out, so only the packet itself tells whether the
 * peer ended its side.
 */
final class PeerEof implements TrafficListener {

  private volatile boolean received;

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    if (packet.isEof()) {
      received = true;
    }
  }

  /**
   * Whether the peer's EOF has arrived. Once the connection's receiving side has ended (see {@link
   * PacketConnection#join(java.time.Duration)}), the answer is final.
   */
  boolean received() {
    return received;
  }
}
