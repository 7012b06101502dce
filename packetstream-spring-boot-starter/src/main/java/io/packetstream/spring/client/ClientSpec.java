package io.packetstream.spring.client;

import io.packetstream.connection.PacketConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to make and keep one named client connection.
 *
 * @param name the client's name: its bean qualifier, connection name and health entry
 * @param connector opens a connection with the builder it is given (TCP, TLS or Unix socket)
 * @param failFast whether start-up fails when the first connect fails
 * @param backoff the waits between connect attempts, or null to never reconnect
 */
public record ClientSpec(String name, Connector connector, boolean failFast,
    @Nullable Backoff backoff) {

  /** Checks the name and the connector. */
  public ClientSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(connector, "connector");
  }

  /** Opens one connection to the peer. */
  @FunctionalInterface
  public interface Connector {

    /** Connects and opens a connection with {@code builder}. */
    PacketConnection connect(PacketConnection.Builder builder) throws IOException;
  }

  /**
   * Exponential back-off: the first retry after {@code initial}, each next one {@code multiplier}
   * times later, never more than {@code max} apart.
   *
   * @param initial the first wait
   * @param max the longest wait
   * @param multiplier the growth per failed attempt, at least 1
   */
  public record Backoff(Duration initial, Duration max, double multiplier) {

    /** Checks the waits. */
    public Backoff {
      if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1) {
        throw new IllegalArgumentException("bad back-off: initial " + initial + ", max " + max
            + ", multiplier " + multiplier);
      }
    }

    /** The wait after {@code current}. */
    Duration next(Duration current) {
      long nanos = (long) Math.min(max.toNanos(), current.toNanos() * multiplier);
      return Duration.ofNanos(Math.max(nanos, 1_000_000));
    }
  }
}
