package io.packetstream.spring.handler;

import java.lang.reflect.Method;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * The payload hints of the {@link PacketHandler} methods a bean inherits from a generic class: the
 * annotation's own processor sees the method alone, whose {@code T} it cannot know, where the
 * bean's class says {@code T} is an {@code Order}.
 */
final class PacketHandlerBeanAotProcessor implements BeanRegistrationAotProcessor {

  @Override
  public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean bean) {
    Class<?> type = ClassUtils.getUserClass(bean.getBeanClass());
    if (type.getName().startsWith("java.") || type.getName().startsWith("org.springframework.")) {
      return null;
    }
    List<Method> inherited;
    try {
      inherited =
          MethodIntrospector.selectMethods(
                  type,
                  (MethodIntrospector.MetadataLookup<PacketHandler>)
                      m -> AnnotatedElementUtils.findMergedAnnotation(m, PacketHandler.class))
              .keySet()
              .stream()
              .filter(m -> m.getDeclaringClass() != type)
              .toList();
    } catch (IllegalStateException | LinkageError e) {
      // a class whose methods name types that are absent: no handler of this starter's
      return null;
    }
    if (inherited.isEmpty()) {
      return null;
    }
    return (context, code) -> {
      ReflectionHints hints = context.getRuntimeHints().reflection();
      PacketHandlerReflectiveProcessor processor = new PacketHandlerReflectiveProcessor();
      for (Method m : inherited) {
        processor.registerPayloadHints(hints, m, type);
      }
    };
  }
}
