package io.packetstream.spring.client;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Registers one {@link PacketStreamClient} bean per {@code packetstream.clients.<name>}, named
 * {@code <name>PacketStreamClient} and qualified by {@code <name>}, made by the {@link
 * PacketClients} bean {@value #CLIENTS_BEAN}'s {@code get(name)}: a factory method, which
 * ahead-of-time processing can write out as code, where a supplier could not be. Only the names are
 * read here (the properties are bound in full by the properties bean). When the application defines
 * its own {@link PacketClients} bean (one that the given configuration class does not define), it
 * registers no client beans: that registry's clients are the application's to expose.
 *
 * <p>It also registers the {@link PacketExchange} interfaces each client lists in {@code
 * packetstream.clients.<name>.exchanges}, as {@link ImportPacketExchanges} does.
 */
public final class ClientBeanRegistrar
    implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

  /** The name of the starter's {@link PacketClients} bean. */
  public static final String CLIENTS_BEAN = "packetClients";

  private final String configuration;
  private @Nullable Environment environment;

  /**
   * A registrar for the {@link PacketClients} bean {@value #CLIENTS_BEAN} of {@code configuration},
   * which defines it with a factory method.
   */
  public ClientBeanRegistrar(Class<?> configuration) {
    this.configuration = configuration.getName();
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  private static Class<?> exchange(String type, String property) {
    try {
      return ClassUtils.forName(type, ClientBeanRegistrar.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          property + ": no interface " + type + " on the class path", e);
    }
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
    if (!registry.containsBeanDefinition(CLIENTS_BEAN)
        || !configuration.equals(registry.getBeanDefinition(CLIENTS_BEAN).getFactoryBeanName())) {
      return;
    }
    Map<String, Object> clients =
        Binder.get(environment)
            .bind("packetstream.clients", Bindable.mapOf(String.class, Object.class))
            .orElse(Map.of());
    // bound whole, as the names are: a name may need brackets (packetstream.clients[a b])
    Map<String, ExchangeNames> exchanges =
        Binder.get(environment)
            .bind("packetstream.clients", Bindable.mapOf(String.class, ExchangeNames.class))
            .orElse(Map.of());
    for (String name : clients.keySet()) {
      RootBeanDefinition definition = new RootBeanDefinition(PacketStreamClient.class);
      definition.setFactoryBeanName(CLIENTS_BEAN);
      definition.setUniqueFactoryMethodName("get");
      definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
      definition.setRole(BeanDefinition.ROLE_APPLICATION);
      definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
      registry.registerBeanDefinition(name + "PacketStreamClient", definition);
      String property = "packetstream.clients." + name + ".exchanges";
      ExchangeNames listed = exchanges.get(name);
      for (String type : listed == null ? List.<String>of() : listed.getExchanges()) {
        PacketExchangeFactoryBean.register(
            registry, exchange(type.strip(), property), name, property);
      }
    }
  }

  /** The interfaces a client lists, bound alone from its properties. */
  static final class ExchangeNames {

    private List<String> exchanges = List.of();

    public List<String> getExchanges() {
      return exchanges;
    }

    public void setExchanges(List<String> exchanges) {
      this.exchanges = exchanges;
    }
  }
}
