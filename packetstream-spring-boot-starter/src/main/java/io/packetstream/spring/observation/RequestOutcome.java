package io.packetstream.spring.observation;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;

/**
 * How a request ended, as the {@code outcome} key of request observations and the tag of the
 * request timers say it.
 */
public enum RequestOutcome {
  /** Answered ok. */
  SUCCESS,
  /** The peer's request could not be served as it was (its payload could not be read). */
  CLIENT_ERROR,
  /** This end's handler answered not-ok: it threw, or refused. */
  SERVER_ERROR,
  /** The peer answered this end's request not-ok; which side was at fault it does not say. */
  NOT_OK,
  /** Refused before any handler ran: limits, closing, unknown channel. */
  REJECTED,
  /** No answer within the request's timeout. */
  TIMEOUT,
  /** The requester cancelled it. */
  CANCELLED,
  /** The connection ended or failed before the request could complete. */
  CLOSED;

  /**
   * The outcome of a request that ended as the core says; {@code clientError} when the starter
   * answered it not-ok as the peer's mistake.
   */
  public static RequestOutcome of(Direction direction, Outcome outcome, boolean clientError) {
    switch (outcome) {
      case OK:
        return SUCCESS;
      case FAILED:
        if (direction == Direction.OUTBOUND) {
          return NOT_OK;
        }
        return clientError ? CLIENT_ERROR : SERVER_ERROR;
      case REJECTED:
        return REJECTED;
      case TIMEOUT:
        return TIMEOUT;
      case CANCELLED:
        return CANCELLED;
      default:
        return CLOSED;
    }
  }
}
