package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

/**
 * Ahead-of-time processing of a handler bean whose methods come from a generic class: the bean's
 * type arguments are hinted for binding, as the payload types of its own methods are.
 */
class GenericHandlerHintsTest {

  public record Order(String item) {}

  public record Receipt(String id) {}

  abstract static class Inbox<T, R> {

    @PacketHandler(1)
    String one(T payload) {
      return "";
    }

    @PacketHandler(2)
    CompletionStage<List<R>> all() {
      return null;
    }
  }

  static class OrderInbox extends Inbox<Order, Receipt> {}

  @Test
  void theBeansTypeArgumentsAreBindable() {
    GenericApplicationContext context = new GenericApplicationContext();
    AnnotationConfigUtils.registerAnnotationConfigProcessors(context);
    context.registerBean(OrderInbox.class);
    DefaultGenerationContext generation =
        new DefaultGenerationContext(
            new ClassNameGenerator(ClassName.get(OrderInbox.class)), new InMemoryGeneratedFiles());
    new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
    RuntimeHints hints = generation.getRuntimeHints();

    for (Class<?> payload : List.of(Order.class, Receipt.class)) {
      assertThat(
              RuntimeHintsPredicates.reflection()
                  .onType(payload)
                  .withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
          .as(payload.getSimpleName())
          .accepts(hints);
    }
  }
}
