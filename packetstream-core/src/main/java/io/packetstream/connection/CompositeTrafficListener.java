package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

/**
 * Passes each event to several listeners, shielding the connection and the other listeners from one
 * that throws; made by {@link TrafficListener#of}.
 */
final class CompositeTrafficListener implements TrafficListener {

  private static final System.Logger LOG = System.getLogger(TrafficListener.class.getName());

  private final TrafficListener[] listeners;

  CompositeTrafficListener(List<TrafficListener> listeners) {
    this.listeners = listeners.toArray(TrafficListener[]::new);
  }

  private static void failed(TrafficListener listener, RuntimeException e) {
    LOG.log(Level.WARNING, () -> "traffic listener " + listener + " threw", e);
  }

  @Override
  public void connectionOpened(PacketConnection connection) {
    for (TrafficListener l : listeners) {
      try {
        l.connectionOpened(connection);
      } catch (RuntimeException e) {
        failed(l, e);
      }
    }
  }

  @Override
  public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
    for (TrafficListener l : listeners) {
      try {
        l.connectionClosed(connection, failure);
      } catch (RuntimeException e) {
        failed(l, e);
      }
    }
  }

  @Override
  public void packetSent(PacketConnection connection, Packet packet, int bytes) {
    for (TrafficListener l : listeners) {
      try {
        l.packetSent(connection, packet, bytes);
      } catch (RuntimeException e) {
        failed(l, e);
      }
    }
  }

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    for (TrafficListener l : listeners) {
      try {
        l.packetReceived(connection, packet, bytes);
      } catch (RuntimeException e) {
        failed(l, e);
      }
    }
  }

  @Override
  public void requestStarted(
      PacketConnection connection, Direction direction, long channel, long tag, long rqType) {
    for (TrafficListener l : listeners) {
      try {
        l.requestStarted(connection, direction, channel, tag, rqType);
      } catch (RuntimeException e) {
        failed(l, e);
      }
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
      try {
        l.requestFinished(connection, direction, channel, tag, rqType, outcome, nanos);
      } catch (RuntimeException e) {
        failed(l, e);
      }
    }
  }
}
