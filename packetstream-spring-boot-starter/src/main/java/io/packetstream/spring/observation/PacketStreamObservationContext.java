package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.context.ConnectionRole;

/**
 * What an observation of one request knows: which server or client, which connection, which
 * way, the channel, tag and type, and at the end its outcome. Conventions read it to name keys.
 */
public final class PacketStreamObservationContext extends Observation.Context {

  private final ConnectionRole role;
  private final String endpointName;
  private final PacketConnection connection;
  private final Direction direction;
  private final long channel;
  private final long tag;
  private final long requestType;
  private final boolean knownType;
  private RequestOutcome outcome;

  PacketStreamObservationContext(ConnectionRole role, String endpointName,
      PacketConnection connection, Direction direction, long channel, long tag, long requestType,
      boolean knownType) {
    this.role = role;
    this.endpointName = endpointName;
    this.connection = connection;
    this.direction = direction;
    this.channel = channel;
    this.tag = tag;
    this.requestType = requestType;
    this.knownType = knownType;
  }

  /** Whether the server accepted the connection or a client made it. */
  public ConnectionRole role() {
    return role;
  }

  /** The name of the server or client the connection belongs to. */
  public String endpointName() {
    return endpointName;
  }

  /** The connection the request travels on. */
  public PacketConnection connection() {
    return connection;
  }

  /** Inbound: the peer asked, this end answers; outbound: the other way. */
  public Direction direction() {
    return direction;
  }

  /** The request's channel. */
  public long channel() {
    return channel;
  }

  /** The requester's tag for the request. */
  public long tag() {
    return tag;
  }

  /** The request type. */
  public long requestType() {
    return requestType;
  }

  /**
   * Whether the request type may be a tag value: always for outbound requests (this end's own
   * choice), for inbound ones only when a {@code @PacketHandler} answers it on its channel, so
   * that a peer cannot invent series.
   */
  public boolean knownType() {
    return knownType;
  }

  /** How the request ended; null until it has. */
  public RequestOutcome outcome() {
    return outcome;
  }

  void outcome(RequestOutcome outcome) {
    this.outcome = outcome;
  }
}
