package io.packetstream.spring.handler;

import java.lang.reflect.Method;

/**
 * One {@link PacketHandler} method as interceptors and exception handlers see it.
 *
 * @param beanName the name of the bean it is called on
 * @param bean the bean (a proxy, when the bean is proxied)
 * @param method the method
 * @param channel the channel it answers on
 * @param requestType the request type it answers
 */
public record PacketHandlerMethod(
    String beanName, Object bean, Method method, long channel, long requestType) {

  @Override
  public String toString() {
    return method.getDeclaringClass().getSimpleName()
        + "."
        + method.getName()
        + " (type "
        + requestType
        + ", channel "
        + channel
        + ")";
  }
}
