package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.validation.beanvalidation.MethodValidationAdapter;

/**
 * A native image can make the method validator that checks a payload's own constraints, which the
 * starter makes reflectively; handlers without such constraints do not ask for it.
 */
class ValidationRuntimeHintsTest {

  public record Order(@NotBlank String item) {}

  static class Constrained {
    @PacketHandler(1)
    String note(@NotBlank String text) {
      return text;
    }
  }

  static class BeanOnly {
    @PacketHandler(1)
    String order(@Valid Order order) {
      return order.item();
    }
  }

  private static RuntimeHints hintsOf(Class<?> handlers) {
    RuntimeHints hints = new RuntimeHints();
    new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, handlers);
    return hints;
  }

  @Test
  void aPayloadWithConstraintsOfItsOwnGetsTheMethodValidatorsConstructor() {
    assertThat(
            RuntimeHintsPredicates.reflection()
                .onType(MethodValidationAdapter.class)
                .withMemberCategories(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS))
        .accepts(hintsOf(Constrained.class))
        .rejects(hintsOf(BeanOnly.class));
  }
}
