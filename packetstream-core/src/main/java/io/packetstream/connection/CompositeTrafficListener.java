package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.List;
import java.util.Optional;

/** Passes each event to several listeners; made by {@link TrafficListener#of}. */
final class CompositeTrafficListener implements TrafficListener {

  private final TrafficListener[] listeners;

  CompositeTrafficListener(List<TrafficListener> listeners) {
    this.listeners = listeners.toArray(TrafficListener[]::new);
  }

  @Override
  public void connectionOpened(PacketConnection connection) {
    for (TrafficListener l : listeners) {
      l.connectionOpened(connection);
    }
  }

  @Override
  public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
    for (TrafficListener l : listeners) {
      l.connectionClosed(connection, failure);
    }
  }

  @Override
  public void packetSent(PacketConnection connection, Packet packet, int bytes) {
    for (TrafficListener l : listeners) {
      l.packetSent(connection, packet, bytes);
    }
  }

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    for (TrafficListener l : listeners) {
      l.packetReceived(connection, packet, bytes);
    }
  }

  @Override
  public void requestStarted(
      PacketConnection connection, Direction direction, long channel, long tag, long rqType) {
    for (TrafficListener l : listeners) {
      l.requestStarted(connection, direction, channel, tag, rqType);
    }
  }

  @Override
  public void requestFinished(
      PacketConnection connection,
      Direction direction,
      long channel,
      long tag,
      long rqType,
      Outcome outcome,
      long nanos) {
    for (TrafficListener l : listeners) {
      l.requestFinished(connection, direction, channel, tag, rqType, outcome, nanos);
    }
  }
}
