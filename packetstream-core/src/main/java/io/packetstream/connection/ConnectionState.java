package io.packetstream.connection;

/** Where a {@link PacketConnection} is in its life, for health checks and dashboards. */
public enum ConnectionState {
  /** Built but not opened yet. */
  NEW,
  /** Sending and receiving. */
  OPEN,
  /** Shutting down gracefully: refusing new requests, finishing those already running. */
  DRAINING,
  /** Ended cleanly. */
  CLOSED,
  /** Ended by an error; {@link PacketConnection#failure()} says which. */
  FAILED;

  /** Whether the connection has ended, cleanly or not. */
  public boolean isTerminal() {
    return this == CLOSED || this == FAILED;
  }
}
