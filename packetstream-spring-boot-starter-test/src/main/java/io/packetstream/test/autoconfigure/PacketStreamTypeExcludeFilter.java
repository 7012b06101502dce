package io.packetstream.test.autoconfigure;

import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.PacketArgumentResolver;
import io.packetstream.spring.handler.PacketChannel;
import io.packetstream.spring.handler.PacketControllerAdvice;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerInterceptor;
import io.packetstream.spring.handler.PacketReturnValueHandler;
import io.packetstream.spring.handler.PayloadCodec;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.test.context.filter.annotation.StandardAnnotationCustomizableTypeExcludeFilter;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.util.ClassUtils;

/**
 * Lets into a {@link PacketStreamTest @PacketStreamTest} only the beans that serve packetstream
 * requests, as listed there. Beans with {@code @PacketHandler} methods are found by their methods,
 * declared on the class or a superclass.
 */
final class PacketStreamTypeExcludeFilter
    extends StandardAnnotationCustomizableTypeExcludeFilter<PacketStreamTest> {

  /** Types that may be missing: each is included when it is on the class path. */
  private static final List<String> OPTIONAL_INCLUDES =
      List.of(
          "io.packetstream.spring.observation.PacketStreamObservationConvention",
          "tools.jackson.databind.JacksonModule",
          "org.springframework.boot.jackson.JacksonComponent");

  private static final Set<Class<?>> KNOWN_INCLUDES;

  static {
    Set<Class<?>> includes =
        new LinkedHashSet<>(
            List.of(
                PacketControllerAdvice.class,
                PacketChannel.class,
                PacketHandlerInterceptor.class,
                PacketArgumentResolver.class,
                PacketReturnValueHandler.class,
                PayloadCodec.class,
                PacketConnectionCustomizer.class));
    for (String name : OPTIONAL_INCLUDES) {
      if (ClassUtils.isPresent(name, PacketStreamTypeExcludeFilter.class.getClassLoader())) {
        includes.add(
            ClassUtils.resolveClassName(
                name, PacketStreamTypeExcludeFilter.class.getClassLoader()));
      }
    }
    KNOWN_INCLUDES = Collections.unmodifiableSet(includes);
  }

  PacketStreamTypeExcludeFilter(Class<?> testClass) {
    super(testClass);
  }

  @Override
  protected Set<Class<?>> getKnownIncludes() {
    return KNOWN_INCLUDES;
  }

  @Override
  protected boolean defaultInclude(
      MetadataReader metadataReader, MetadataReaderFactory metadataReaderFactory)
      throws IOException {
    return super.defaultInclude(metadataReader, metadataReaderFactory)
        || hasHandlerMethods(metadataReader, metadataReaderFactory);
  }

  private static boolean hasHandlerMethods(MetadataReader reader, MetadataReaderFactory factory)
      throws IOException {
    String handler = PacketHandler.class.getName();
    MetadataReader current = reader;
    while (true) {
      if (current.getAnnotationMetadata().hasAnnotatedMethods(handler)) {
        return true;
      }
      String superclass = current.getClassMetadata().getSuperClassName();
      if (superclass == null || superclass.equals(Object.class.getName())) {
        return false;
      }
      current = factory.getMetadataReader(superclass);
    }
  }
}
