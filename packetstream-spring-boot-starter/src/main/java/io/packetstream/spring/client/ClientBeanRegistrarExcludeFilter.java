package io.packetstream.spring.client;

import org.springframework.beans.factory.aot.BeanRegistrationExcludeFilter;
import org.springframework.beans.factory.support.RegisteredBean;

/**
 * Leaves the {@link ClientBeanRegistrar} out of ahead-of-time code: the client beans it registered
 * are written out themselves, so running it again at start-up would register each one twice.
 */
final class ClientBeanRegistrarExcludeFilter implements BeanRegistrationExcludeFilter {

  @Override
  public boolean isExcludedFromAotProcessing(RegisteredBean registeredBean) {
    return ClientBeanRegistrar.class.isAssignableFrom(registeredBean.getBeanClass());
  }
}
