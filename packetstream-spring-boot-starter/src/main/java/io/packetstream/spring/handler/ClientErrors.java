package io.packetstream.spring.handler;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peer's requests that a {@link PacketHandler} method answered not-ok because the request
 * itself was bad (a payload the codec cannot read, for one), so that metrics can count them apart
 * from the handlers' own failures. The core reports both as a not-ok answer; the starter marks the
 * first kind before it answers, and the metrics take the mark when the core reports the end.
 *
 * <p>Nothing is marked until a reader {@linkplain #enable() asks}, so that marks nobody takes
 * cannot pile up.
 */
public final class ClientErrors {

  private record Key(PacketConnection connection, long channel, long tag) {}

  private final Map<Key, Boolean> marked = new ConcurrentHashMap<>();
  private volatile boolean enabled;

  ClientErrors() {}

  /** Starts marking; the caller takes every mark from then on with {@link #take}. */
  public void enable() {
    enabled = true;
  }

  void mark(PacketConnection connection, long channel, long tag) {
    if (enabled) {
      marked.put(new Key(connection, channel, tag), Boolean.TRUE);
    }
  }

  /**
   * Whether the request {@code tag} on {@code channel} of {@code connection}, which just ended with
   * {@code outcome}, was the peer's own request answered as a client error; forgets it either way.
   * Call it for every request that ends, from {@link
   * io.packetstream.connection.TrafficListener#requestFinished}.
   */
  public boolean take(
      PacketConnection connection, Direction direction, long channel, long tag, Outcome outcome) {
    if (direction != Direction.INBOUND || marked.isEmpty()) {
      return false;
    }
    // an exception handler may answer a marked request ok: its mark goes too
    return marked.remove(new Key(connection, channel, tag)) != null && outcome != Outcome.OK;
  }
}
