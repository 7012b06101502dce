package io.packetstream.spring.client;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.Durations;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to make and keep one named client: one connection to a peer, or with {@code balancing} one
 * connection per instance of a service.
 *
 * @param name the client's name: its bean qualifier, connection name and health entry
 * @param connector opens a connection with the builder it is given (TCP, TLS or Unix socket); null
 *     for a balanced client, whose instances connect through {@code balancing}
 * @param failFast whether start-up fails when the first connect fails (for a balanced client: when
 *     no instance is found or none connects within {@link Balancing#startTimeout()})
 * @param backoff the waits between connect attempts (per instance for a balanced client), or null
 *     to never reconnect
 * @param balancing the instances of a balanced client and how requests spread over them, or null
 *     for a client of one peer
 * @param requestTimeout how long typed calls and exchanges that name no timeout wait for an answer;
 *     {@link Duration#ZERO} leaves it to the connection's request timeout
 */
public record ClientSpec(
    String name,
    @Nullable Connector connector,
    boolean failFast,
    @Nullable Backoff backoff,
    @Nullable Balancing balancing,
    Duration requestTimeout) {

  /** Checks the name, the timeout, and that there is a connector or a balancing, not both. */
  public ClientSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if ((connector == null) == (balancing == null)) {
      throw new IllegalArgumentException(
          "client "
              + name
              + ": give either a connector (one peer) or a balancing (instances of a service)");
    }
    if (requestTimeout.isNegative()) {
      throw new IllegalArgumentException("requestTimeout " + requestTimeout + " is negative");
    }
  }

  /** A client of one peer. */
  public ClientSpec(
      String name,
      Connector connector,
      boolean failFast,
      Backoff backoff,
      Duration requestTimeout) {
    this(
        name,
        Objects.requireNonNull(connector, "connector"),
        failFast,
        backoff,
        null,
        requestTimeout);
  }

  /** A balanced client: one connection per instance that {@code balancing} finds. */
  public static ClientSpec balanced(
      String name,
      Balancing balancing,
      boolean failFast,
      Backoff backoff,
      Duration requestTimeout) {
    return new ClientSpec(
        name,
        null,
        failFast,
        backoff,
        Objects.requireNonNull(balancing, "balancing"),
        requestTimeout);
  }

  /**
   * The instances of a balanced client and how requests spread over them.
   *
   * @param instances where the instances come from
   * @param connector opens a connection to one instance
   * @param balance how a request's instance is picked
   * @param refreshInterval how often {@code instances} is asked again; zero asks once, at start
   * @param startTimeout how long a fail-fast start waits for a first instance to connect
   */
  public record Balancing(
      InstanceSource instances,
      InstanceConnector connector,
      Balance balance,
      Duration refreshInterval,
      Duration startTimeout) {

    /** Checks every part. */
    public Balancing {
      Objects.requireNonNull(instances, "instances");
      Objects.requireNonNull(connector, "connector");
      Objects.requireNonNull(balance, "balance");
      if (refreshInterval.isNegative() || startTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "negative refresh interval "
                + Durations.format(refreshInterval)
                + " or start timeout "
                + Durations.format(startTimeout));
      }
    }
  }

  /** Opens one connection to an instance of a balanced client's service. */
  @FunctionalInterface
  public interface InstanceConnector {

    /** Connects to {@code instance} and opens a connection with {@code builder}. */
    PacketConnection connect(PeerInstance instance, PacketConnection.Builder builder)
        throws IOException;
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
        throw new IllegalArgumentException(
            "bad back-off: initial "
                + Durations.format(initial)
                + ", max "
                + Durations.format(max)
                + ", multiplier "
                + multiplier);
      }
    }

    /** The wait after {@code current}. */
    Duration next(Duration current) {
      long nanos = (long) Math.min(max.toNanos(), current.toNanos() * multiplier);
      return Duration.ofNanos(Math.max(nanos, 1_000_000));
    }
  }
}
