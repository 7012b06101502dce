package io.packetstream.connection;

/**
 * Turns the flags and payload of an ok response into an application value, for {@link
 * PacketConnection#submit(long, long, byte[], ResponseDecoder)}.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface ResponseDecoder<T> {

  /** Decodes an ok response; an exception fails the request's future with it. */
  T decode(long flags, byte[] payload) throws Exception;
}
