package io.packetstream.spring.handler;

import java.lang.reflect.Type;
import java.util.Objects;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/** A {@link PayloadCodec} that reads and writes JSON with the application's Jackson mapper. */
public final class JacksonPayloadCodec implements PayloadCodec {

  private final JsonMapper mapper;

  /** A codec that uses {@code mapper}, usually the application's own. */
  public JacksonPayloadCodec(JsonMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
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
