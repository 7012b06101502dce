package io.packetstream.spring.handler;

import io.packetstream.connection.Request;
import java.util.Optional;

/**
 * What a {@link PacketHandler} method may want to know about the request it answers, besides its
 * payload: declare a parameter of this type to get it.
 *
 * @param connectionName the name of the connection the request came on (as in metrics and health)
 * @param remoteAddress the peer's address as text, empty for connections not over a socket
 * @param channel the channel
 * @param tag the peer's tag for the request
 * @param rqType the request type
 * @param flags the request flags
 */
public record RequestContext(
    String connectionName, String remoteAddress, long channel, long tag, long rqType, long flags) {

  static RequestContext of(Request request) {
    return new RequestContext(
        request.connection().name(),
        request.connection().remoteAddress().map(Object::toString).orElse(""),
        request.channel(),
        request.tag(),
        request.rqType(),
        request.flags());
  }

  /** The peer's address, when there is one. */
  public Optional<String> remote() {
    return remoteAddress.isEmpty() ? Optional.empty() : Optional.of(remoteAddress);
  }
}
