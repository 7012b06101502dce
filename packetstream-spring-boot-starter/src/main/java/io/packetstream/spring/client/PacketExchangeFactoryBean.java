package io.packetstream.spring.client;

import io.packetstream.spring.handler.PayloadCodec;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.ResolvableType;

/**
 * Makes the bean of one registered {@link PacketExchange} interface: its proxy over the named
 * client of the context's {@link PacketClients}, made by the context's {@link
 * PacketExchangeProxyFactory}. Its bean definition names the interface and the client as
 * constructor arguments, which ahead-of-time processing writes out as code; the interface is
 * checked, and the client looked up, when the context starts.
 *
 * @param <S> the interface
 */
public final class PacketExchangeFactoryBean<S>
    implements FactoryBean<S>, BeanFactoryAware, InitializingBean {

  private final Class<S> type;
  private final String client;
  private final String source;
  private @Nullable BeanFactory beanFactory;
  private @Nullable S proxy;

  /**
   * The bean of {@code type}, calling the peer of the client named {@code client}; {@code source}
   * says where the interface was registered, for start-up failures.
   */
  public PacketExchangeFactoryBean(Class<S> type, String client, String source) {
    this.type = Objects.requireNonNull(type, "type");
    this.client = Objects.requireNonNull(client, "client");
    this.source = Objects.requireNonNull(source, "source");
  }

  /**
   * Registers the bean of {@code type} for {@code client}, named {@code client.type's name} and
   * qualified by the client's name, unless one is registered already.
   *
   * @throws IllegalArgumentException if {@code type} is not an interface
   */
  static void register(
      BeanDefinitionRegistry registry, Class<?> type, String client, String source) {
    if (!type.isInterface() || type.isAnnotation()) {
      throw new IllegalArgumentException(
          source
              + ": "
              + type.getName()
              + " is not an interface: only interfaces of @PacketExchange methods can be imported");
    }
    String name = client + "." + type.getName();
    if (registry.containsBeanDefinition(name)) {
      return;
    }
    RootBeanDefinition definition = new RootBeanDefinition(PacketExchangeFactoryBean.class);
    definition.setTargetType(
        ResolvableType.forClassWithGenerics(PacketExchangeFactoryBean.class, type));
    definition.getConstructorArgumentValues().addIndexedArgumentValue(0, type);
    definition.getConstructorArgumentValues().addIndexedArgumentValue(1, client);
    definition.getConstructorArgumentValues().addIndexedArgumentValue(2, source);
    // made at start-up even under spring.main.lazy-initialization (which leaves a definition
    // whose laziness is set alone), so that a bad interface or client fails start-up as promised
    definition.setLazyInit(false);
    definition.setRole(BeanDefinition.ROLE_APPLICATION);
    definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, client));
    definition.setResourceDescription(source);
    registry.registerBeanDefinition(name, definition);
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  /** Makes the proxy: start-up fails if the interface cannot be mapped or there is no client. */
  @Override
  public void afterPropertiesSet() {
    BeanFactory factory = Objects.requireNonNull(beanFactory, "beanFactory");
    PacketClients clients = factory.getBean(PacketClients.class);
    PacketStreamClient target =
        clients
            .find(client)
            .orElseThrow(
                () ->
                    new UnknownPacketClientException(
                        type,
                        client,
                        clients.all().stream().map(PacketStreamClient::name).sorted().toList(),
                        source));
    PacketExchangeProxyFactory proxies =
        factory
            .getBeanProvider(PacketExchangeProxyFactory.class)
            .getIfAvailable(
                () ->
                    new PacketExchangeProxyFactory(
                        factory.getBeanProvider(PayloadCodec.class).getIfAvailable()));
    this.proxy = proxies.createClient(type, target);
  }

  @Override
  public S getObject() {
    if (proxy == null) {
      throw new IllegalStateException("the " + type.getName() + " exchange is not made yet");
    }
    return proxy;
  }

  @Override
  public Class<S> getObjectType() {
    return type;
  }
}
