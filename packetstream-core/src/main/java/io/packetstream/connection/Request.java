package io.packetstream.connection;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One request from the peer, as a {@link RequestHandler} sees it.
 *
 * <p>Besides the request's own fields it carries the connection it came on, so that a handler can
 * send requests back to its requester ({@code request.connection().submit(...)}): both ends of a
 * connection are requesters and responders at once.
 *
 * @param connection the connection the request arrived on
 * @param channel the channel it arrived on (0 unless the application enabled others)
 * @param tag the peer's number for it
 * @param rqType the application's request type
 * @param flags the request's flags
 * @param payload the payload; the array belongs to the request, do not change it
 */
public record Request(
    PacketConnection connection, long channel, long tag, long rqType, long flags, byte[] payload) {

  /** Checks that there is a connection and a payload. */
  public Request {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(payload, "payload");
  }

  /** The payload decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Request["
        + connection.name()
        + ", channel="
        + channel
        + ", tag="
        + tag
        + ", rqType="
        + rqType
        + ", flags="
        + flags
        + ", payload="
        + payload.length
        + " bytes]";
  }
}
