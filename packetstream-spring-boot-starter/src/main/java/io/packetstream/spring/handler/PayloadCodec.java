package io.packetstream.spring.handler;

import java.lang.reflect.Type;

/**
 * Turns payloads into objects and back, for {@link PacketHandler} parameters and return values that
 * are not bytes, text or flags. The starter provides {@link JacksonPayloadCodec} (JSON) when
 * Jackson is on the class path; define a bean of this type to use another format.
 */
public interface PayloadCodec {

  /**
   * Whether this codec can decode a payload into an instance of {@code type}; asked once per
   * handler parameter at start-up, so that a parameter it can never fill (an {@link
   * java.io.InputStream}, say) stops the application naming the method instead of failing every
   * request. By default every type.
   */
  default boolean canDecode(Type type) {
    return true;
  }

  /** Decodes {@code payload} into an instance of {@code type}; throws if it cannot. */
  Object decode(byte[] payload, Type type);

  /** Encodes {@code value} (never null) into a payload. */
  byte[] encode(Object value);
}
