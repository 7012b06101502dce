package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.connection.PacketClients;
import io.packetstream.spring.connection.PacketStreamClient;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Registers one {@link PacketStreamClient} bean per {@code packetstream.clients.<name>}, named
 * {@code <name>PacketStreamClient} and qualified by {@code <name>}, served by the
 * {@link PacketClients} registry.
 */
final class ClientBeanRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

  private Environment environment;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
    Map<String, Object> clients = Binder.get(environment)
        .bind("packetstream.clients", Bindable.mapOf(String.class, Object.class))
        .orElse(Map.of());
    BeanFactory beans = (BeanFactory) registry;
    for (String name : clients.keySet()) {
      RootBeanDefinition definition = new RootBeanDefinition(PacketStreamClient.class,
          () -> beans.getBean(PacketClients.class).get(name));
      definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
      registry.registerBeanDefinition(name + "PacketStreamClient", definition);
    }
  }
}
