package io.packetstream.spring.handler;

import io.packetstream.connection.RequestHandler;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.wire.Packet;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.validation.Validator;

/**
 * Finds every {@link PacketHandler} method of the application's beans and turns them into one core
 * {@link RequestHandler} per channel, which the starter gives to every connection it opens.
 *
 * <p>Beans are found as they are created and then, once all singletons exist, from the bean
 * definitions: a singleton that was not created yet (lazy initialization, {@code @Lazy}, or a
 * scoped proxy nobody injected) is created then, so that its methods are served from the first
 * request. The targets behind scoped proxies are never served themselves: their proxy is, and it
 * finds the target of the current scope per call. A handler bean of another scope (a prototype)
 * cannot be served, which is logged once at start-up.
 *
 * <p>Methods are checked once all singletons exist: two methods for the same channel and request
 * type, a method whose parameters or result cannot be mapped, or one that cannot be called on its
 * bean (static, or private on a proxy), stop the application with an {@link
 * InvalidPacketHandlerException} naming them. Channel 0 always has a handler, so a request type
 * nobody handles gets a not-ok answer that says so instead of the original's {@code no request
 * handler}.
 */
public final class PacketHandlers
    implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, EnvironmentAware {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(PacketHandlers.class);

  private record Found(String beanName, Object bean, Method method, PacketHandler annotation) {}

  /** The default of {@code packetstream.max-collected-values}. */
  public static final int DEFAULT_MAX_COLLECTED_VALUES = 10_000;

  private final ObjectProvider<PayloadCodec> codec;
  private final int maxCollectedValues;
  private final ClientErrors clientErrors = new ClientErrors();
  private final List<Found> found = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> seen = Collections.synchronizedSet(new HashSet<>());
  private ConfigurableListableBeanFactory beanFactory;
  private Environment environment;
  private volatile Map<Long, RequestHandler> routers;

  /** Handlers whose payload objects are decoded and encoded by {@code codec}, if there is one. */
  public PacketHandlers(ObjectProvider<PayloadCodec> codec) {
    this(codec, DEFAULT_MAX_COLLECTED_VALUES);
  }

  /**
   * Handlers whose payload objects are decoded and encoded by {@code codec}, if there is one, and
   * whose multi-value results (a {@code Flux}) are answered with at most {@code maxCollectedValues}
   * values: beyond that the subscription is cancelled and the request answered not-ok.
   */
  public PacketHandlers(ObjectProvider<PayloadCodec> codec, int maxCollectedValues) {
    if (maxCollectedValues < 1) {
      throw new IllegalArgumentException(
          "packetstream.max-collected-values must be at least 1, not " + maxCollectedValues);
    }
    this.codec = codec;
    this.maxCollectedValues = maxCollectedValues;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
      this.beanFactory = listable;
    }
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  private static Map<Method, PacketHandler> handlerMethods(Class<?> type) {
    Class<?> target = ClassUtils.getUserClass(type);
    if (target.getName().startsWith("java.")) {
      return Map.of();
    }
    return MethodIntrospector.selectMethods(
        target,
        (MethodIntrospector.MetadataLookup<PacketHandler>)
            m -> AnnotatedElementUtils.findMergedAnnotation(m, PacketHandler.class));
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (ScopedProxyUtils.isScopedTarget(beanName) || routers != null) {
      // a scoped target is served through its proxy; after start-up, the definitions were
      // read and what could not be served was reported once
      return bean;
    }
    add(bean, beanName);
    return bean;
  }

  private void add(Object bean, String beanName) {
    Map<Method, PacketHandler> methods = handlerMethods(AopUtils.getTargetClass(bean));
    if (!methods.isEmpty() && seen.add(beanName)) {
      methods.forEach((m, a) -> found.add(new Found(beanName, bean, m, a)));
    }
  }

  @Override
  public void afterSingletonsInstantiated() {
    if (beanFactory != null) {
      fromDefinitions(beanFactory);
    }
    Map<Long, RequestHandler> built = byChannel();
    if (found.isEmpty()) {
      return;
    }
    StringBuilder table = new StringBuilder("@PacketHandler methods:");
    built.forEach((channel, handler) -> ((ChannelRouter) handler).describe(table));
    LOG.log(System.Logger.Level.INFO, table::toString);
    if (beanFactory != null && nothingServes(beanFactory)) {
      LOG.log(System.Logger.Level.WARNING, this::nothingServesWarning);
    }
  }

  /** The warning that nobody serves the handlers, with what to set. */
  private String nothingServesWarning() {
    String warning =
        "there are @PacketHandler methods, but no packetstream server or client to serve them: ";
    if (environment != null
        && !environment.getProperty("packetstream.server.enabled", Boolean.class, true)) {
      return warning
          + "the server is turned off by packetstream.server.enabled=false; remove that setting"
          + " to serve them on the server (on packetstream.server.port), or configure a"
          + " packetstream.clients.NAME.port";
    }
    return warning
        + "set packetstream.server.port (or packetstream.server.unix-socket-path), or a"
        + " packetstream.clients.NAME.port";
  }

  /**
   * Whether neither a server, nor a client, nor a {@link PacketHandlerTransport} will ever pass a
   * request to the handlers.
   */
  private static boolean nothingServes(ConfigurableListableBeanFactory beans) {
    if (beans.getBeanNamesForType(PacketStreamServer.class, true, false).length > 0
        || beans.getBeanNamesForType(PacketHandlerTransport.class, true, false).length > 0) {
      return false;
    }
    for (String name : beans.getBeanNamesForType(PacketClients.class, true, false)) {
      if (!beans.getBean(name, PacketClients.class).all().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Creates the handler singletons not created yet; reports the handler beans of other scopes. */
  private void fromDefinitions(ConfigurableListableBeanFactory beans) {
    for (String name : beans.getBeanDefinitionNames()) {
      if (ScopedProxyUtils.isScopedTarget(name)
          || seen.contains(name)
          || beans.getBeanDefinition(name).isAbstract()) {
        continue;
      }
      Class<?> type = beans.getType(name, false);
      if (type == null || handlerMethods(type).isEmpty()) {
        continue;
      }
      if (beans.isSingleton(name)) {
        // created now if it was lazy; this post-processor sees it then, or adds it here if it
        // was created before this post-processor existed
        add(beans.getBean(name), name);
      } else {
        LOG.log(
            System.Logger.Level.WARNING,
            () ->
                "bean '"
                    + name
                    + "' has @PacketHandler"
                    + " methods but is not a singleton (scope '"
                    + beans.getBeanDefinition(name).getScope()
                    + "'): they are not served; make it a singleton, or give its scope a proxy"
                    + " (proxyMode), which is served");
      }
    }
  }

  /**
   * The core handler of each channel that has {@link PacketHandler} methods (channel 0 always),
   * built on first use.
   *
   * @throws InvalidPacketHandlerException if the methods cannot be served
   */
  public Map<Long, RequestHandler> byChannel() {
    Map<Long, RequestHandler> r = routers;
    if (r == null) {
      synchronized (this) {
        r = routers;
        if (r == null) {
          r = build();
          routers = r;
        }
      }
    }
    return r;
  }

  /**
   * Whether a {@link PacketHandler} method answers {@code rqType} on {@code channel}: metrics tag
   * only such types with their number, so that a peer cannot invent meters.
   *
   * @throws InvalidPacketHandlerException if the methods cannot be served
   */
  public boolean handles(long channel, long rqType) {
    return byChannel().get(channel) instanceof ChannelRouter router && router.handles(rqType);
  }

  /**
   * Whether a {@link PacketHandler} method answers on {@code channel}: observations tag only such
   * channels with their number, so that a peer cannot invent series by choosing channels.
   *
   * @throws InvalidPacketHandlerException if the methods cannot be served
   */
  public boolean handlesChannel(long channel) {
    return byChannel().get(channel) instanceof ChannelRouter;
  }

  /** The peer's requests that the handlers answered as client errors, for metrics to count. */
  public ClientErrors clientErrors() {
    return clientErrors;
  }

  /** How many {@link PacketHandler} methods were found. */
  int size() {
    return found.size();
  }

  private <T> List<T> beans(Class<T> type) {
    return beanFactory == null
        ? List.of()
        : beanFactory.getBeanProvider(type).orderedStream().toList();
  }

  /** Boot's validator ({@code defaultValidator}) when there is one, else the only one. */
  private Validator validator() {
    if (beanFactory == null) {
      return null;
    }
    if (beanFactory.containsBean("defaultValidator")
        && beanFactory.isTypeMatch("defaultValidator", Validator.class)) {
      return beanFactory.getBean("defaultValidator", Validator.class);
    }
    return beanFactory.getBeanProvider(Validator.class).getIfUnique();
  }

  /** The advice beans' exception handlers, in their order. */
  private List<ExceptionHandlers> advice(PayloadCodec c, List<String> problems) {
    if (beanFactory == null) {
      return List.of();
    }
    List<Object> beans = new ArrayList<>();
    Map<Object, String> names = new java.util.IdentityHashMap<>();
    for (String name : beanFactory.getBeanNamesForAnnotation(PacketControllerAdvice.class)) {
      if (ScopedProxyUtils.isScopedTarget(name)) {
        continue;
      }
      Object bean = beanFactory.getBean(name);
      beans.add(bean);
      names.put(bean, name);
    }
    // in the order their @Bean methods give too, as the interceptors' orderedStream() has it
    beans.sort(
        AnnotationAwareOrderComparator.INSTANCE.withSourceProvider(
            bean -> {
              String name = names.get(bean);
              return beanFactory.containsBeanDefinition(name)
                      && beanFactory.getMergedBeanDefinition(name)
                          instanceof RootBeanDefinition definition
                  ? definition.getResolvedFactoryMethod()
                  : null;
            }));
    List<ExceptionHandlers> result = new ArrayList<>();
    for (Object bean : beans) {
      ExceptionHandlers h = ExceptionHandlers.of(names.get(bean), bean, c, problems);
      if (h != null) {
        result.add(h);
      }
    }
    return result;
  }

  private Map<Long, RequestHandler> build() {
    PayloadCodec c = codec.getIfAvailable();
    HandlerSignature signature =
        new HandlerSignature(
            c,
            validator(),
            beans(PacketArgumentResolver.class),
            beans(PacketReturnValueHandler.class),
            maxCollectedValues);
    List<PacketHandlerInterceptor> interceptors = beans(PacketHandlerInterceptor.class);
    PacketHandlerObserver observer = observer(beans(PacketHandlerObserver.class));
    List<String> problems = new ArrayList<>();
    List<ExceptionHandlers> advice = advice(c, problems);
    Map<String, List<ExceptionHandlers>> chains = new java.util.HashMap<>();
    Map<Long, Map<Long, List<HandlerInvoker>>> table = new TreeMap<>();
    List<Found> all;
    synchronized (found) {
      all = List.copyOf(found);
    }
    for (Found f : all) {
      String description = describe(f);
      long channel = channel(f);
      long type = f.annotation().value();
      if (channel < 0) {
        problems.add(
            description
                + ": channel "
                + channel
                + " is out of range: a channel is 0 to "
                + Long.MAX_VALUE);
        continue;
      }
      if (type < 0 || type > Packet.MAX_RQ_TYPE) {
        problems.add(
            description
                + ": request type "
                + type
                + " is out of range: a request type"
                + " is 0 to "
                + Packet.MAX_RQ_TYPE);
        continue;
      }
      int before = problems.size();
      ArgumentResolver[] resolvers =
          signature.resolvers(f.bean(), f.method(), description, problems);
      ResponseMapper mapper = signature.mapper(f.method(), description, problems);
      MethodHandle handle = problems.size() > before ? null : handle(f, description, problems);
      if (problems.size() > before) {
        continue;
      }
      List<ExceptionHandlers> chain =
          chains.computeIfAbsent(
              f.beanName(),
              n -> {
                List<ExceptionHandlers> own = new ArrayList<>();
                ExceptionHandlers h = ExceptionHandlers.of(n, f.bean(), c, problems);
                if (h != null) {
                  own.add(h);
                }
                own.addAll(advice);
                return own;
              });
      PacketHandlerMethod method =
          new PacketHandlerMethod(f.beanName(), f.bean(), f.method(), channel, type);
      HandlerInvoker invoker =
          new HandlerInvoker(
              description,
              method,
              handle,
              resolvers,
              mapper,
              clientErrors,
              interceptors,
              chain,
              observer);
      table
          .computeIfAbsent(channel, k -> new TreeMap<>())
          .computeIfAbsent(type, t -> new ArrayList<>())
          .add(invoker);
    }
    Map<Long, RequestHandler> result = new TreeMap<>();
    table.computeIfAbsent(0L, k -> new TreeMap<>());
    table.forEach(
        (channel, byType) -> {
          Map<Long, HandlerInvoker> unique = new TreeMap<>();
          byType.forEach(
              (type, invokers) -> {
                if (invokers.size() > 1) {
                  problems.add(
                      "request type "
                          + type
                          + " on channel "
                          + channel
                          + " has "
                          + invokers.size()
                          + " handlers: "
                          + invokers.stream()
                              .map(HandlerInvoker::description)
                              .collect(Collectors.joining(" and ")));
                }
                unique.put(type, invokers.get(0));
              });
          result.put(channel, new ChannelRouter(channel, unique, clientErrors));
        });
    if (!problems.isEmpty()) {
      throw new InvalidPacketHandlerException(problems);
    }
    return Collections.unmodifiableMap(result);
  }

  /** One observer that calls {@code all} in order (closing in reverse), or null for none. */
  private static PacketHandlerObserver observer(List<PacketHandlerObserver> all) {
    if (all.size() <= 1) {
      return all.isEmpty() ? null : all.get(0);
    }
    PacketHandlerObserver[] each = all.toArray(new PacketHandlerObserver[0]);
    return new PacketHandlerObserver() {
      @Override
      public Scope open(io.packetstream.connection.Request request) {
        Scope[] scopes = new Scope[each.length];
        for (int i = 0; i < each.length; i++) {
          scopes[i] = each[i].open(request);
        }
        return () -> {
          for (int i = scopes.length - 1; i >= 0; i--) {
            scopes[i].close();
          }
        };
      }

      @Override
      public void failed(io.packetstream.connection.Request request, Throwable failure) {
        for (PacketHandlerObserver o : each) {
          o.failed(request, failure);
        }
      }
    };
  }

  /** The method's own channel, else its class's {@link PacketChannel}, else 0. */
  private static long channel(Found f) {
    long own = f.annotation().channel();
    if (own != -1) {
      return own;
    }
    PacketChannel onClass =
        AnnotatedElementUtils.findMergedAnnotation(
            ClassUtils.getUserClass(AopUtils.getTargetClass(f.bean())), PacketChannel.class);
    return onClass == null ? 0 : onClass.value();
  }

  private static String describe(Found f) {
    return HandlerSignature.describe(f.method(), f.beanName());
  }

  /** A handle that calls the method on its bean, or null after recording why there is none. */
  private static MethodHandle handle(Found f, String description, List<String> problems) {
    Method m = f.method();
    if (Modifier.isStatic(m.getModifiers())) {
      problems.add(
          description
              + ": is static; a @PacketHandler method must be an instance"
              + " method of its bean");
      return null;
    }
    if (Modifier.isPrivate(m.getModifiers()) && AopUtils.isAopProxy(f.bean())) {
      problems.add(
          description
              + ": is private, and the bean is a proxy, which cannot pass the"
              + " call on to it; make the method package-private, protected or public");
      return null;
    }
    try {
      Method invocable = AopUtils.selectInvocableMethod(m, f.bean().getClass());
      invocable.setAccessible(true);
      if (PayloadTypes.isSuspending(invocable)) {
        // CoroutinesUtils supplies the continuation: the handle takes the other arguments
        MethodHandle suspending =
            MethodHandles.lookup()
                .findStatic(
                    ReactiveReturns.class,
                    "invokeSuspending",
                    MethodType.methodType(
                        Object.class, Method.class, Object.class, Object[].class));
        return MethodHandles.insertArguments(suspending, 0, invocable, f.bean());
      }
      return HandlerSignature.spreadHandle(f.bean(), invocable);
    } catch (IllegalAccessException | NoSuchMethodException | RuntimeException e) {
      problems.add(description + ": cannot be called on its bean: " + e.getMessage());
      return null;
    }
  }
}
