package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.List;
import java.util.Optional;

/**
 * Passes each event to several listeners, shielding the connection and the other listeners from one
 * that throws an exception (an Error fails the connection: IoErrorTest); made by {@link
 * TrafficListener#of}.
 */
final class CompositeTrafficListener implements TrafficListener {

  private static final System.Logger LOG = Loggers.of(TrafficListener.class);

  private final TrafficListener[] listeners;

  /** Each listener's failures, logged once per cause a minute: a listener may throw per packet. */
  private final FailureLog[] failures;

  CompositeTrafficListener(List<TrafficListener> listeners) {
    this.listeners = listeners.toArray(TrafficListener[]::new);
    this.failures = new FailureLog[this.listeners.length];
    for (int i = 0; i < failures.length; i++) {
      failures[i] = new FailureLog(LOG, "traffic listener " + this.listeners[i]);
    }
  }

  private void failed(int i, String event, Throwable e) {
    failures[i].failed(event, e);
  }

  @Override
  public void connectionOpened(PacketConnection connection) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].connectionOpened(connection);
      } catch (RuntimeException e) {
        failed(i, "connectionOpened", e);
      }
    }
  }

  @Override
  public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].connectionClosed(connection, failure);
      } catch (RuntimeException e) {
        failed(i, "connectionClosed", e);
      }
    }
  }

  @Override
  public void packetSent(PacketConnection connection, Packet packet, int bytes) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].packetSent(connection, packet, bytes);
      } catch (RuntimeException e) {
        failed(i, "packetSent", e);
      }
    }
  }

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].packetReceived(connection, packet, bytes);
      } catch (RuntimeException e) {
        failed(i, "packetReceived", e);
      }
    }
  }

  @Override
  public void requestStarted(
      PacketConnection connection, Direction direction, long channel, long tag, long rqType) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].requestStarted(connection, direction, channel, tag, rqType);
      } catch (RuntimeException e) {
        failed(i, "requestStarted", e);
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
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].requestFinished(connection, direction, channel, tag, rqType, outcome, nanos);
      } catch (RuntimeException e) {
        failed(i, "requestFinished", e);
      }
    }
  }
}
