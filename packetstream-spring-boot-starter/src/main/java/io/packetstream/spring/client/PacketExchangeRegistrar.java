package io.packetstream.spring.client;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;

/** Registers the interfaces of each {@link ImportPacketExchanges} of a configuration class. */
final class PacketExchangeRegistrar implements ImportBeanDefinitionRegistrar {

  @Override
  public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    String source = "@ImportPacketExchanges on " + metadata.getClassName();
    metadata.getAnnotations().stream(ImportPacketExchanges.class).forEach(a -> {
      String client = a.getString("client");
      if (client.isBlank()) {
        throw new IllegalArgumentException(source + ": name the client");
      }
      for (Class<?> type : a.getClassArray("types")) {
        PacketExchangeFactoryBean.register(registry, type, client, source);
      }
    });
  }
}
