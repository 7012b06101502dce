package io.packetstream.spring.client;

import java.util.Arrays;
import java.util.stream.Stream;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.type.AnnotationMetadata;

/** Registers the interfaces of each {@link ImportPacketExchanges} of a configuration class. */
final class PacketExchangeRegistrar implements ImportBeanDefinitionRegistrar {

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    String source = "@ImportPacketExchanges on " + metadata.getClassName();
    // a class's own metadata does not unwrap repeated annotations, a scanned one's does: read
    // both ways (registering is idempotent)
    Stream.concat(
            metadata.getAnnotations().stream(ImportPacketExchanges.class),
            metadata.getAnnotations().stream(ImportPacketExchanges.Container.class)
                .flatMap(
                    c -> Arrays.stream(c.getAnnotationArray("value", ImportPacketExchanges.class))))
        .forEach(a -> register(a, registry, source));
  }

  private static void register(
      MergedAnnotation<ImportPacketExchanges> annotation,
      BeanDefinitionRegistry registry,
      String source) {
    String client = annotation.getString("client");
    if (client.isBlank()) {
      throw new IllegalArgumentException(source + ": name the client");
    }
    for (Class<?> type : annotation.getClassArray("types")) {
      PacketExchangeFactoryBean.register(registry, type, client, source);
    }
  }
}
