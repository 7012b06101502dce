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

  @Override
  public Object decode(byte[] payload, Type type) {
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    return mapper.readValue(payload, javaType);
  }

  @Override
  public byte[] encode(Object value) {
    return mapper.writeValueAsBytes(value);
  }
}
