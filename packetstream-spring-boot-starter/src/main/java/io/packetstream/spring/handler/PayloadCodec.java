package io.packetstream.spring.handler;

import java.lang.reflect.Type;

/**
 * Turns payloads into objects and back, for {@link PacketHandler} parameters and return values
 * that are not bytes, text or flags. The starter provides {@link JacksonPayloadCodec} (JSON) when
 * Jackson is on the class path; define a bean of this type to use another format.
 */
public interface PayloadCodec {

  /** Decodes {@code payload} into an instance of {@code type}; throws if it cannot. */
  Object decode(byte[] payload, Type type);

  /** Encodes {@code value} (never null) into a payload. */
  byte[] encode(Object value);
}
