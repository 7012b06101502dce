package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The Jackson codec says at start-up which types it can read, as decoding them would show. */
class JacksonPayloadCodecTest {

  public record Item(String name) {}

  /** An interface Jackson can read, through its type information. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes(@JsonSubTypes.Type(value = Circle.class, name = "circle"))
  public interface Shape {}

  public record Circle(int r) implements Shape {}

  /** An interface with neither a mapping nor type information. */
  public interface Opaque {}

  private final JacksonPayloadCodec codec = new JacksonPayloadCodec(JsonMapper.builder().build());

  @Test
  void readsWhatItCanConstruct() {
    assertThat(codec.canDecode(Item.class)).isTrue();
    assertThat(codec.canDecode(Shape.class)).isTrue();
    assertThat(codec.canDecode(new ParameterizedTypeReference<List<Item>>() {}.getType())).isTrue();
    assertThat(codec.canDecode(Map.class)).isTrue();
    assertThat(codec.canDecode(Object.class)).isTrue();
    assertThat(codec.canDecode(long.class)).isTrue();
    assertThat(
            codec.decode(
                "{\"kind\":\"circle\",\"r\":2}".getBytes(StandardCharsets.UTF_8), Shape.class))
        .isEqualTo(new Circle(2));
  }

  @Test
  void refusesAbstractTypesItCannotConstructWhichWouldFailEveryPayload() {
    for (Class<?> type : List.of(InputStream.class, Reader.class, Runnable.class, Opaque.class)) {
      assertThat(codec.canDecode(type)).as(type.getName()).isFalse();
      assertThatThrownBy(() -> codec.decode("{}".getBytes(StandardCharsets.UTF_8), type))
          .as(type.getName())
          .isInstanceOf(RuntimeException.class);
    }
  }
}
