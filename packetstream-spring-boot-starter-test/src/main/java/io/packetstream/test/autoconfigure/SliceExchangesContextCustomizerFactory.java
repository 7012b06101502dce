package io.packetstream.test.autoconfigure;

import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketExchangeFactoryBean;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * For a {@link PacketStreamTest @PacketStreamTest}, which makes no clients: leaves out the
 * {@code @PacketExchange} interfaces that {@code @ImportPacketExchanges} registered (on the
 * application class, say), which would otherwise stop the slice for want of a client. A test whose
 * handlers call one mocks it with {@code @MockitoBean}; a slice that imports the clients'
 * auto-configuration keeps them.
 */
final class SliceExchangesContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public @Nullable ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    boolean slice =
        MergedAnnotations.search(SearchStrategy.TYPE_HIERARCHY)
            .withEnclosingClasses(c -> true)
            .from(testClass)
            .isPresent(PacketStreamTest.class);
    return slice ? new WithoutExchanges() : null;
  }

  /** Adds {@link #dropExchanges}. */
  private static final class WithoutExchanges implements ContextCustomizer {

    @Override
    public void customizeContext(
        ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
      // run after the configuration classes registered every definition, before any is made
      context.addBeanFactoryPostProcessor(WithoutExchanges::dropExchanges);
    }

    private static void dropExchanges(ConfigurableListableBeanFactory beanFactory) {
      if (!(beanFactory instanceof BeanDefinitionRegistry registry)
          || beanFactory.getBeanNamesForType(PacketClients.class, true, false).length > 0) {
        return;
      }
      for (String name : registry.getBeanDefinitionNames()) {
        String type = registry.getBeanDefinition(name).getBeanClassName();
        if (PacketExchangeFactoryBean.class.getName().equals(type)) {
          registry.removeBeanDefinition(name);
        }
      }
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof WithoutExchanges;
    }

    @Override
    public int hashCode() {
      return WithoutExchanges.class.hashCode();
    }
  }
}
