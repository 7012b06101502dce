package io.packetstream.spring.client;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.handler.PayloadCodec;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Makes proxies of interfaces of {@link PacketExchange} methods, over a named client or over one
 * connection: for a handler that calls back the peer that called it, as a server tells its watchers
 * about changes. The starter defines one as a bean, with the application's {@link PayloadCodec};
 * interfaces registered with {@link ImportPacketExchanges} are made by it.
 *
 * <pre>{@code
 * Watcher watcher = exchanges.createClient(Watcher.class, request.connection());
 * watcher.changed(change);
 * }</pre>
 *
 * <p>An interface is checked once, at its first proxy; the check's result is kept.
 */
public final class PacketExchangeProxyFactory {

  private final TypedCalls calls;
  private final Map<Class<?>, Map<Method, ExchangeMethod>> methods = new ConcurrentHashMap<>();

  /** A factory whose proxies encode and decode objects with {@code codec}, if there is one. */
  public PacketExchangeProxyFactory(@Nullable PayloadCodec codec) {
    this.calls = new TypedCalls(codec);
  }

  /**
   * A proxy of {@code type} whose methods call the peer of {@code client}, waiting at most the
   * client's {@code request-timeout}.
   *
   * @throws InvalidPacketExchangeException if a method of {@code type} cannot be mapped
   */
  public <S> S createClient(Class<S> type, PacketStreamClient client) {
    Objects.requireNonNull(client, "client");
    return proxy(type, client.typedSubmitter(), "packetstream client " + client.name());
  }

  /**
   * A proxy of {@code type} whose methods call the peer of {@code connection}, waiting at most the
   * connection's request timeout.
   *
   * @throws InvalidPacketExchangeException if a method of {@code type} cannot be mapped
   */
  public <S> S createClient(Class<S> type, PacketConnection connection) {
    Objects.requireNonNull(connection, "connection");
    return proxy(type, connection::submit, connection.name());
  }

  /**
   * Checks that every method of {@code type} can be mapped.
   *
   * @throws InvalidPacketExchangeException if one cannot
   */
  public void validate(Class<?> type) {
    methods(type);
  }

  private <S> S proxy(Class<S> type, TypedCalls.Submitter submitter, String target) {
    Map<Method, ExchangeMethod> mapped = methods(type);
    InvocationHandler handler =
        (proxy, method, args) -> {
          ExchangeMethod m = mapped.get(method);
          if (m != null) {
            return m.invoke(calls, submitter, target, args);
          }
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> type.getSimpleName() + " exchanges with " + target;
            default -> throw new IllegalStateException("not an exchange: " + method);
          };
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private Map<Method, ExchangeMethod> methods(Class<?> type) {
    Map<Method, ExchangeMethod> known = methods.get(type);
    if (known != null) {
      return known;
    }
    List<String> problems = new ArrayList<>();
    Map<Method, ExchangeMethod> mapped = new ConcurrentHashMap<>();
    if (!type.isInterface() || type.isAnnotation()) {
      problems.add(
          type.getName() + " is not an interface: only interfaces become exchange" + " proxies");
    } else {
      for (Method method : type.getMethods()) {
        if (ExchangeMethod.isExchange(method)) {
          ExchangeMethod m = ExchangeMethod.of(type, method, calls, problems);
          if (m != null) {
            mapped.put(method, m);
          }
        }
      }
      checkReachable(type, problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidPacketExchangeException(type, problems);
    }
    Map<Method, ExchangeMethod> fixed = Map.copyOf(mapped);
    methods.put(type, fixed);
    return fixed;
  }

  /**
   * The JDK makes the proxy of a public interface in a module of its own, which reaches only public
   * types, and the proxy casts each method's result to its return type: a method returning a type
   * that is not public would throw an {@link IllegalAccessError} at every call.
   */
  private static void checkReachable(Class<?> type, List<String> problems) {
    if (!Modifier.isPublic(type.getModifiers())) {
      return; // the proxy is made in the interface's own package
    }
    for (Method method : type.getMethods()) {
      Class<?> c = method.getReturnType();
      while (c.isArray()) {
        c = c.getComponentType();
      }
      int m = c.getModifiers();
      // a protected member class is public in its class file, where the JVM looks
      if (Modifier.isStatic(method.getModifiers())
          || c.isPrimitive()
          || Modifier.isPublic(m)
          || (c.isMemberClass() && Modifier.isProtected(m))) {
        continue;
      }
      problems.add(
          ExchangeMethod.describe(type, method)
              + ": returns "
              + c.getName()
              + ", which is not public, and the proxy of a public interface cannot reach it:"
              + " make "
              + c.getSimpleName()
              + " public, or "
              + type.getSimpleName()
              + " package-private");
    }
  }
}
