package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.List;
import java.util.Optional;

/**
 * Watches one or more connections: every packet and byte that crosses them, every request from its
 * start to its end, and the connection's own opening and closing. Metrics and activity displays
 * hang on this.
 *
 * <p>Events come in pairs: every {@link #requestStarted} is followed by exactly one {@link
 * #requestFinished} for the same request, and {@link #connectionOpened} by exactly one {@link
 * #connectionClosed}. Every method has an empty default, so an implementation overrides only what
 * it needs.
 *
 * <p>A request the peer sent and a handler answered on the event loop (a direct executor) is
 * reported finished once the read batch that brought it has written its answer, so that a
 * listener's work never holds answers back; the peer may therefore have its answer a moment before
 * the listener hears of it. Its {@code nanos} still end when the answer was queued.
 *
 * <p>Methods are called on the connection's own threads, on the hot path: they must be fast, must
 * not block, must not throw (an exception is dropped and logged, once per cause a minute), and must
 * not call back into the connection in a way that waits for it.
 */
public interface TrafficListener {

  /** A listener that ignores everything. */
  TrafficListener NONE = new TrafficListener() {};

  /** Which way a request travels, seen from the connection being watched. */
  enum Direction {
    /** The peer asked, this end answers. */
    INBOUND,
    /** This end asked, the peer answers. */
    OUTBOUND
  }

  /** How a request ended. */
  enum Outcome {
    /** Answered with an ok response. */
    OK,
    /** Answered with a not-ok response (the handler failed or refused). */
    FAILED,
    /** Refused before any handler ran: limits, closing, unknown channel, no handler. */
    REJECTED,
    /** No answer within the request's timeout. */
    TIMEOUT,
    /** The requester cancelled it. */
    CANCELLED,
    /** The connection ended or failed before the request could complete. */
    ERROR
  }

  /** The connection started. */
  default void connectionOpened(PacketConnection connection) {}

  /** The connection ended; {@code failure} is present when it ended by an error. */
  default void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {}

  /** A packet was written; {@code bytes} is its whole frame, length prefix included. */
  default void packetSent(PacketConnection connection, Packet packet, int bytes) {}

  /** A packet was read; {@code bytes} is its whole frame, length prefix included. */
  default void packetReceived(PacketConnection connection, Packet packet, int bytes) {}

  /** A request began: submitted by this end, or received from the peer. */
  default void requestStarted(
      PacketConnection connection, Direction direction, long channel, long tag, long rqType) {}

  /** A request ended, {@code nanos} after it started. */
  default void requestFinished(
      PacketConnection connection,
      Direction direction,
      long channel,
      long tag,
      long rqType,
      Outcome outcome,
      long nanos) {}

  /**
   * A listener that passes every event to each of {@code listeners}, in order; an exception from
   * one is logged and does not reach the others or the connection.
   */
  static TrafficListener of(List<TrafficListener> listeners) {
    List<TrafficListener> all = listeners.stream().filter(l -> l != NONE).toList();
    return all.isEmpty() ? NONE : new CompositeTrafficListener(all);
  }
}
