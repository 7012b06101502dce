package io.packetstream.spring.handler;

import java.lang.reflect.Type;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.AbstractDeserializer;
import tools.jackson.databind.json.JsonMapper;

/** A {@link PayloadCodec} that reads and writes JSON with the application's Jackson mapper. */
public final class JacksonPayloadCodec implements PayloadCodec {

  private final JsonMapper mapper;

  /** A codec that uses {@code mapper}, usually the application's own. */
  public JacksonPayloadCodec(JsonMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * Whether the mapper has a deserializer for {@code type} that can make an instance: Jackson 3 has
   * no {@code canDeserialize}, so this asks for the root deserializer and refuses the one Jackson
   * gives abstract types it cannot construct (an {@code InputStream}, an interface with neither a
   * mapping nor type information), which would fail on every payload.
   */
  @Override
  public boolean canDecode(Type type) {
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    try {
      DeserializationContext context = mapper._deserializationContext();
      ValueDeserializer<Object> deserializer = context.findRootValueDeserializer(javaType);
      return !(deserializer instanceof AbstractDeserializer)
          || context.findTypeDeserializer(javaType) != null;
    } catch (JacksonException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Reads {@code payload} as {@code type}; a payload Jackson cannot read fails with an {@link
   * IllegalArgumentException} of Jackson's own message without its location, which names no source
   * (it is redacted) and is of no use to the peer that the message is answered to.
   */
  @Override
  public Object decode(byte[] payload, Type type) {
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    try {
      return mapper.readValue(payload, javaType);
    } catch (JacksonException e) {
      String message = e.getOriginalMessage();
      throw new IllegalArgumentException(
          message == null ? null : NO_SOURCE.matcher(message).replaceAll(""), e);
    }
  }

  /** A location inside Jackson's own message ("start marker at"), which names no source either. */
  private static final java.util.regex.Pattern NO_SOURCE =
      java.util.regex.Pattern.compile(" ?\\(start marker at \\[Source: [^\\]]*\\]\\)");

  @Override
  public byte[] encode(Object value) {
    return mapper.writeValueAsBytes(value);
  }
}
