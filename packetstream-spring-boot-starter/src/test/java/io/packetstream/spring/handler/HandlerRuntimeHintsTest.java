package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import reactor.core.publisher.Mono;

/**
 * What a native image needs of handler beans, as Spring's AOT processing registers it from the
 * annotations: the handler and exception-handler methods, invoked, and the payload types the codec
 * binds, through stages, reactive types and arrays.
 */
class HandlerRuntimeHintsTest {

  public record Order(String item, Line line) {}

  public record Line(int count) {}

  public record Receipt(String id) {}

  public record Problem(String text) {}

  public record Item(String name) {}

  public record Shipment(String to) {}

  public record Parcel(int grams) {}

  static class Handlers {
    @PacketHandler(1)
    CompletionStage<Receipt> order(Order order, @PacketFlags long flags) {
      return null;
    }

    @PacketHandler(2)
    Mono<List<Item>> items(String prefix) {
      return null;
    }

    @PacketHandler(3)
    CompletionStage<Parcel[]> pack(Shipment[] shipments) {
      return null;
    }

    @PacketExceptionHandler
    Problem failed(IllegalStateException e) {
      return new Problem(e.getMessage());
    }
  }

  @Test
  void handlerMethodsAreInvokableAndTheirPayloadTypesBindable() {
    RuntimeHints hints = new RuntimeHints();
    new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, Handlers.class);

    assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Handlers.class, "order"))
        .accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Handlers.class, "items"))
        .accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Handlers.class, "failed"))
        .accepts(hints);
    for (Class<?> payload :
        List.of(
            Order.class,
            Line.class,
            Receipt.class,
            Item.class,
            Problem.class,
            Shipment.class,
            Parcel.class)) {
      assertThat(
              RuntimeHintsPredicates.reflection()
                  .onType(payload)
                  .withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
          .as(payload.getSimpleName())
          .accepts(hints);
    }
    // what is not a payload gets nothing
    assertThat(RuntimeHintsPredicates.reflection().onType(IllegalStateException.class))
        .rejects(hints);
  }
}
