package io.packetstream.spring.client;

import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.config.ConstructorArgumentValues;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;

/**
 * What a native image needs of each registered {@link PacketExchange} interface: its JDK proxy, its
 * methods (read for their annotations, default ones invoked), and the payload and answer types the
 * codec binds. The bean definitions themselves need nothing: their constructor arguments are
 * written out as code.
 */
final class PacketExchangeAotProcessor implements BeanRegistrationAotProcessor {

  @Override
  public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean bean) {
    if (bean.getBeanClass() != PacketExchangeFactoryBean.class) {
      return null;
    }
    ConstructorArgumentValues.ValueHolder argument =
        bean.getMergedBeanDefinition()
            .getConstructorArgumentValues()
            .getIndexedArgumentValue(0, Class.class);
    if (argument == null || !(argument.getValue() instanceof Class<?> type)) {
      return null;
    }
    return (context, code) -> register(context.getRuntimeHints(), type);
  }

  /** Registers the hints of exchange interface {@code type}. */
  static void register(RuntimeHints hints, Class<?> type) {
    hints.proxies().registerJdkProxy(type);
    hints.reflection().registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS);
    BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();
    for (Method method : type.getMethods()) {
      if (!method.isAnnotationPresent(PacketExchange.class)) {
        continue;
      }
      MethodParameter payload = ExchangeMethod.payloadParameter(method);
      if (payload != null && !TypedCalls.isRaw(payload.getParameterType())) {
        bindings.registerReflectionHints(hints.reflection(), payload.getGenericParameterType());
      }
      ResolvableType answer = ExchangeMethod.answerType(method, type);
      Class<?> c = answer.toClass();
      if (!c.isPrimitive()
          && !TypedCalls.isRaw(c)
          && c != Void.class
          && c != Long.class
          && c != Integer.class
          && c != io.packetstream.connection.Response.class
          && c != io.packetstream.spring.handler.PacketReply.class) {
        bindings.registerReflectionHints(hints.reflection(), TypedCalls.concrete(answer));
      }
    }
  }
}
