package io.packetstream.spring.handler;

import java.util.Objects;

/**
 * An ok answer with both flags and a payload, for {@link PacketHandler} methods that need both (the
 * original's {@code (flags, bytes)} result).
 *
 * @param flags the result flags
 * @param payload the payload, owned by the reply from now on
 */
public record PacketReply(long flags, byte[] payload) {

  /** Checks that there is a payload. */
  public PacketReply {
    Objects.requireNonNull(payload, "payload");
  }
}
