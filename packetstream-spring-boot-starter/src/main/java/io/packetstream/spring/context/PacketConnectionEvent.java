package io.packetstream.spring.context;

import io.packetstream.connection.PacketConnection;
import java.util.Optional;
import org.springframework.context.ApplicationEvent;

/**
 * A connection of the starter opened, closed or failed: listen with
 * {@code @EventListener(PacketConnectionEvent.Closed.class)} and the like to react to peers that
 * come and go. Events are published on the connection's own threads; do not block in listeners.
 */
public abstract class PacketConnectionEvent extends ApplicationEvent {

  private static final long serialVersionUID = 1L;

  private final transient PacketConnection connection;
  private final ConnectionRole role;

  PacketConnectionEvent(PacketConnection connection, ConnectionRole role) {
    super(connection);
    this.connection = connection;
    this.role = role;
  }

  /** The connection. */
  public PacketConnection connection() {
    return connection;
  }

  /** Whether the server accepted it or a client made it. */
  public ConnectionRole role() {
    return role;
  }

  /** The cause when the connection failed. */
  public Optional<Throwable> failure() {
    return Optional.empty();
  }

  /** A connection opened. */
  public static final class Opened extends PacketConnectionEvent {
    private static final long serialVersionUID = 1L;

    /** The opening of {@code connection}. */
    public Opened(PacketConnection connection, ConnectionRole role) {
      super(connection, role);
    }
  }

  /** A connection ended cleanly. */
  public static final class Closed extends PacketConnectionEvent {
    private static final long serialVersionUID = 1L;

    /** The clean end of {@code connection}. */
    public Closed(PacketConnection connection, ConnectionRole role) {
      super(connection, role);
    }
  }

  /** A connection ended by an error. */
  public static final class Failed extends PacketConnectionEvent {
    private static final long serialVersionUID = 1L;

    private final transient Throwable cause;

    /** The failure of {@code connection} by {@code cause}. */
    public Failed(PacketConnection connection, ConnectionRole role, Throwable cause) {
      super(connection, role);
      this.cause = cause;
    }

    /** Why the connection failed. */
    public Throwable cause() {
      return cause;
    }

    @Override
    public Optional<Throwable> failure() {
      return Optional.of(cause);
    }
  }
}
