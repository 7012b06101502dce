package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ReactiveAdapter;
import org.springframework.util.ClassUtils;
import org.springframework.validation.Validator;

/**
 * Chooses, once per method, how each parameter is filled and how the result becomes a reply;
 * records a problem for anything it cannot serve instead of failing at the first request.
 *
 * <p>Reactive results go through Spring's {@code ReactiveAdapterRegistry} when Reactive Streams is
 * on the class path (a {@code Flux} is answered with the list of its values), and Kotlin {@code
 * suspend} functions through {@code CoroutinesUtils} when kotlinx-coroutines-reactor is; without
 * them such a method is refused at start-up, as is every type that could only be mapped wrongly
 * (streams, iterators, {@code Optional}, a {@code Future} that is not a stage).
 */
final class HandlerSignature {

  private static final ClassLoader LOADER = HandlerSignature.class.getClassLoader();
  private static final boolean REACTIVE =
      ClassUtils.isPresent("org.reactivestreams.Publisher", LOADER);
  private static final boolean REACTOR =
      ClassUtils.isPresent("reactor.core.publisher.Mono", LOADER);
  private static final boolean COROUTINES_REACTOR =
      ClassUtils.isPresent("kotlinx.coroutines.reactor.MonoKt", LOADER);
  private static final boolean COROUTINES =
      REACTIVE && KotlinDetector.isKotlinReflectPresent() && COROUTINES_REACTOR;

  /** Types that are reactive by their hierarchy or package, whether an adapter exists or not. */
  private static final List<String> REACTIVE_TYPES =
      List.of(
          "org.reactivestreams.Publisher",
          Flow.Publisher.class.getName(),
          "kotlinx.coroutines.flow.Flow",
          "kotlinx.coroutines.Deferred");

  private static final List<String> REACTIVE_PACKAGES =
      List.of(
          "reactor.core.publisher.", "io.reactivex.", "io.smallrye.mutiny.", "kotlinx.coroutines.");

  private final PayloadCodec codec;
  private final PayloadValidation validation;
  private final List<PacketArgumentResolver> argumentResolvers;
  private final List<PacketReturnValueHandler> returnValueHandlers;

  /** The starter's own kinds of results, asked after the application's, in this order. */
  private final List<PacketReturnValueHandler> standardReturns;

  private final StandardReturns.Dynamic dynamic;

  /** The kind of reactive results; null without Reactive Streams on the class path. */
  private final ReactiveReturns.Handler reactive;

  /**
   * {@code codec} may be null: then only bytes, text and flags are served; {@code validator} may be
   * null: then a payload parameter that asks for validation is refused. The application's resolvers
   * and return value handlers come first, in their order. A multi-value result is answered with at
   * most {@code maxCollectedValues} values.
   */
  HandlerSignature(
      PayloadCodec codec,
      Validator validator,
      List<PacketArgumentResolver> argumentResolvers,
      List<PacketReturnValueHandler> returnValueHandlers,
      int maxCollectedValues) {
    this.codec = codec;
    this.validation = new PayloadValidation(validator);
    this.argumentResolvers = List.copyOf(argumentResolvers);
    this.returnValueHandlers = List.copyOf(returnValueHandlers);
    this.dynamic = new StandardReturns.Dynamic(codec, REACTIVE, maxCollectedValues);
    this.reactive = REACTIVE ? new ReactiveReturns.Handler(maxCollectedValues) : null;
    List<PacketReturnValueHandler> own =
        new ArrayList<>(
            List.of(
                StandardReturns.NOTHING,
                StandardReturns.FLAGS,
                StandardReturns.BYTES,
                StandardReturns.TEXT,
                StandardReturns.BUFFER,
                StandardReturns.PACKET_REPLY,
                StandardReturns.REPLY,
                StandardReturns.STAGE));
    if (REACTIVE) {
      own.add(reactive);
    }
    own.add(dynamic);
    if (codec != null) {
      own.add(StandardReturns.encoded(codec));
    }
    this.standardReturns = List.copyOf(own);
  }

  /** How problems and logs name a method: {@code Orders.find(String) of bean 'orders'}. */
  static String describe(Method m, String beanName) {
    return m.getDeclaringClass().getSimpleName()
        + "."
        + m.getName()
        + "("
        + Arrays.stream(m.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", "))
        + ") of bean '"
        + beanName
        + "'";
  }

  /**
   * A handle of type {@code (Object[])Object} that calls {@code invocable} (made accessible) on
   * {@code bean}, spreading the array over its parameters.
   */
  static MethodHandle spreadHandle(Object bean, Method invocable) throws IllegalAccessException {
    invocable.setAccessible(true);
    MethodHandle h = MethodHandles.lookup().unreflect(invocable).bindTo(bean);
    return h.asType(h.type().generic())
        .asSpreader(Object[].class, invocable.getParameterCount())
        .asType(MethodType.methodType(Object.class, Object[].class));
  }

  /**
   * What a suspend function lacks of the libraries it needs, as "needs ... on the class path; add
   * ...": only those missing.
   */
  static String missingForSuspend(boolean reactive, boolean reflect, boolean coroutinesReactor) {
    List<String> missing = new ArrayList<>();
    if (!coroutinesReactor) {
      missing.add("kotlinx-coroutines-reactor");
    }
    if (!reflect) {
      missing.add("kotlin-reflect");
    }
    if (!reactive) {
      missing.add("reactor-core");
    }
    return "needs "
        + String.join(" and ", missing)
        + " on the class path; add "
        + (missing.size() > 1 ? "them" : "it");
  }

  /** The resolvers of {@code method}'s parameters, {@code bean}'s; null entries after a problem. */
  ArgumentResolver[] resolvers(
      Object bean, Method method, String description, List<String> problems) {
    Parameter[] params = method.getParameters();
    int count = params.length;
    if (PayloadTypes.isSuspending(method)) {
      if (!COROUTINES) {
        problems.add(
            description
                + ": is a Kotlin suspend function, which "
                + missingForSuspend(
                    REACTIVE, KotlinDetector.isKotlinReflectPresent(), COROUTINES_REACTOR)
                + ", or make it a plain function");
      }
      count--;
    }
    ArgumentResolver[] resolvers = new ArgumentResolver[count];
    int payloadParams = 0;
    // a method inherited from a generic class takes the bean's type arguments
    Class<?> beanClass = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
    for (int i = 0; i < count; i++) {
      MethodParameter parameter = new MethodParameter(method, i).withContainingClass(beanClass);
      Class<?> type = parameter.getParameterType();
      boolean payload = params[i].isAnnotationPresent(Payload.class);
      boolean flags = params[i].isAnnotationPresent(PacketFlags.class);
      String which = "parameter " + i + " (" + type.getSimpleName() + ")";
      if (payload && flags) {
        problems.add(
            description
                + ": "
                + which
                + " is annotated both @Payload and @PacketFlags;"
                + " keep one");
        continue;
      }
      if (flags
          && type != long.class
          && type != Long.class
          && type != int.class
          && type != Integer.class) {
        problems.add(
            description
                + ": @PacketFlags parameter "
                + i
                + " must be int or long, not "
                + type.getSimpleName());
        continue;
      }
      PacketArgumentResolver chosen = first(argumentResolvers, parameter);
      if (chosen == null) {
        chosen = first(payload ? StandardArguments.PAYLOADS : StandardArguments.SIMPLE, parameter);
      }
      if (chosen == null) {
        chosen = decoded(parameter, type, payload, which, description, problems);
        if (chosen == null) {
          continue;
        }
      }
      if ((payload || chosen instanceof StandardArguments.PayloadResolver) && ++payloadParams > 1) {
        problems.add(
            description
                + ": more than one parameter takes the payload ("
                + which
                + " is the second); a method takes the payload in one parameter at most");
      }
      PacketArgumentResolver resolver = chosen;
      ArgumentResolver bound =
          resolver instanceof StandardArguments.Bound b
              ? b
              : rq -> resolver.resolveArgument(parameter, rq);
      if (chosen instanceof StandardArguments.PayloadResolver) {
        int before = problems.size();
        PayloadValidation.Check check =
            validation.check(bean, parameter, type.getSimpleName(), which, description, problems);
        if (problems.size() > before) {
          continue;
        }
        if (check != null) {
          bound = checked(bound, check);
        }
      }
      resolvers[i] = bound;
    }
    return resolvers;
  }

  /** {@code resolver}'s payload, checked when it is not null (a null one is allowed already). */
  private static ArgumentResolver checked(
      ArgumentResolver resolver, PayloadValidation.Check check) {
    return request -> {
      Object value = resolver.resolve(request);
      if (value != null) {
        check.check(value);
      }
      return value;
    };
  }

  /**
   * The resolver that decodes the payload into {@code parameter} with the codec, or null after
   * recording why it cannot: the type can only be served wrongly, or the codec cannot read it, or
   * there is no codec or validator where one is needed.
   */
  private PacketArgumentResolver decoded(
      MethodParameter parameter,
      Class<?> type,
      boolean payload,
      String which,
      String description,
      List<String> problems) {
    String refused = refusedParameter(type);
    if (!payload && (type.isPrimitive() || type == Long.class || type == Integer.class)) {
      problems.add(
          description
              + ": "
              + which
              + " cannot be resolved; annotate it @PacketFlags"
              + " to receive the request flags, or @Payload to decode the payload into it");
    } else if (refused != null) {
      problems.add(description + ": " + which + " " + refused);
    } else if (codec == null) {
      problems.add(
          description
              + ": "
              + which
              + " needs a PayloadCodec bean to decode the"
              + " payload, and there is none (add Jackson to the class path or define a"
              + " PayloadCodec)");
    } else if (!codec.canDecode(StandardArguments.payloadType(parameter))) {
      problems.add(
          description
              + ": "
              + which
              + " cannot be read from a payload by the payload"
              + " codec ("
              + codec.getClass().getSimpleName()
              + "); take byte[], ByteBuffer, String"
              + " or a type the codec can construct");
    } else {
      return StandardArguments.decoded(parameter, codec);
    }
    return null;
  }

  private static PacketArgumentResolver first(
      List<PacketArgumentResolver> resolvers, MethodParameter parameter) {
    for (PacketArgumentResolver r : resolvers) {
      if (r.supportsParameter(parameter)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Why a payload parameter of {@code type} cannot be served whatever the codec, or null when the
   * codec is to say.
   */
  private static String refusedParameter(Class<?> type) {
    if (CompletionStage.class.isAssignableFrom(type)
        || Future.class.isAssignableFrom(type)
        || isReactive(type)) {
      return "is asynchronous, but a request's payload arrives whole: take the value itself";
    }
    return PayloadTypes.isIo(type) ? null : PayloadTypes.refused(type);
  }

  /** Whether {@code type} is a reactive type, by its hierarchy or its library's package. */
  static boolean isReactive(Class<?> type) {
    String name = type.getName();
    for (String p : REACTIVE_PACKAGES) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    Deque<Class<?>> todo = new ArrayDeque<>();
    todo.add(type);
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (REACTIVE_TYPES.contains(c.getName())) {
        return true;
      }
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      todo.addAll(List.of(c.getInterfaces()));
    }
    return false;
  }

  /**
   * The mapper of {@code method}'s results: the first return value handler (the application's, then
   * the starter's) that supports its return type, bound once; a kind that completes later gets the
   * mapper of its value's type too. Null after recording why there is none.
   */
  ResponseMapper mapper(Method method, String description, List<String> problems) {
    MethodParameter returnType = new MethodParameter(method, -1);
    if (PayloadTypes.isSuspending(method)) {
      // the declared type is Object; the continuation's type argument is what it returns, refused
      // as a plain function's would be. CoroutinesUtils gives a publisher of the result, mapped by
      // its class
      Class<?> result =
          PayloadTypes.suspendResult(method, method.getDeclaringClass()).resolve(Object.class);
      String refusal = result == Object.class ? null : refusedResult(result, false);
      if (refusal == null && Reply.class.isAssignableFrom(result) && result != Response.class) {
        // its result comes later, as a stage's does: a Reply for later only the core can wait for
        refusal =
            "is a suspend function returning "
                + result.getSimpleName()
                + ", which cannot be served; return a Response, or the answer's value";
      }
      if (refusal != null) {
        problems.add(description + ": " + refusal);
        return null;
      }
      return COROUTINES ? bind(dynamic, returnType, false, description, problems) : null;
    }
    return mapper(returnType, false, description, problems);
  }

  /** {@code value}: the type is what a stage or a publisher completes with. */
  private ResponseMapper mapper(
      MethodParameter returnType, boolean value, String description, List<String> problems) {
    PacketReturnValueHandler handler = firstReturn(returnValueHandlers, returnType);
    if (handler == null) {
      String refusal = refusedResult(returnType.getNestedParameterType(), value);
      if (refusal != null) {
        problems.add(description + ": " + refusal);
        return null;
      }
      handler = firstReturn(standardReturns, returnType);
    }
    if (handler == null) {
      problems.add(
          description
              + ": "
              + (value ? "completes with " : "returns ")
              + returnType.getNestedParameterType().getSimpleName()
              + ", which needs a PayloadCodec"
              + " bean to encode it, and there is none (add Jackson to the class path or define a"
              + " PayloadCodec)");
      return null;
    }
    return bind(handler, returnType, value, description, problems);
  }

  private static PacketReturnValueHandler firstReturn(
      List<PacketReturnValueHandler> handlers, MethodParameter returnType) {
    for (PacketReturnValueHandler h : handlers) {
      if (h.supportsReturnType(returnType)) {
        return h;
      }
    }
    return null;
  }

  /**
   * The call of {@code handler} for every result, and of its value's mapper for later ones; a value
   * that itself completes later ({@code value}) has its own value mapped by its class, which also
   * ends a handler that claims its own nested types.
   */
  private ResponseMapper bind(
      PacketReturnValueHandler handler,
      MethodParameter returnType,
      boolean value,
      String description,
      List<String> problems) {
    if (handler instanceof StandardReturns.Now) {
      return result -> handler.handleReturnValue(result, returnType);
    }
    ResponseMapper valueMapper =
        value ? dynamic : valueMapper(handler, returnType, description, problems);
    if (valueMapper == null) {
      return null;
    }
    if (REACTIVE && handler == reactive) {
      // the declared type's adapter, as valueMapper's, not the value's: a Publisher that is a
      // Mono at run time still answers with a list
      ReactiveAdapter adapter = ReactiveReturns.adapter(returnType.getNestedParameterType());
      int max = reactive.maxValues();
      return result ->
          result == null
              ? Response.empty()
              : later(ReactiveReturns.collect(adapter, result, max, description), valueMapper);
    }
    if (handler == dynamic) {
      return result ->
          dynamic.isAsyncReturnValue(result, returnType)
              ? later(dynamic.stage(result, description), valueMapper)
              : dynamic.handleReturnValue(result, returnType);
    }
    return result ->
        handler.isAsyncReturnValue(result, returnType)
            ? later(handler.toCompletionStage(result, returnType), valueMapper)
            : handler.handleReturnValue(result, returnType);
  }

  /** The mapper of what a result of {@code handler}'s that completes later completes with. */
  private ResponseMapper valueMapper(
      PacketReturnValueHandler handler,
      MethodParameter returnType,
      String description,
      List<String> problems) {
    if (handler == dynamic) {
      return dynamic;
    }
    Class<?> declared = returnType.getNestedParameterType();
    if (REACTIVE && handler == reactive) {
      ReactiveAdapter adapter = ReactiveReturns.adapter(declared);
      if (adapter.isNoValue()) {
        return value -> Response.empty();
      }
      if (adapter.isMultiValue()) {
        if (codec == null) {
          problems.add(
              description
                  + ": returns "
                  + declared.getSimpleName()
                  + ", answered with"
                  + " the list of its values, which needs a PayloadCodec bean to encode it, and there"
                  + " is none (add Jackson to the class path or define one)");
          return null;
        }
        PayloadCodec c = codec;
        return list -> Response.ok(c.encode(list));
      }
    }
    MethodParameter nested = returnType.nested();
    if (nested.getNestedParameterType() == Object.class) {
      // no type argument to choose by: mapped by the value's class
      return dynamic;
    }
    return mapper(nested, true, description, problems);
  }

  /** A stage of the response to what {@code stage} completes with. */
  private static CompletionStage<Response> later(CompletionStage<?> stage, ResponseMapper value) {
    OwnedFuture<Response> out = new OwnedFuture<>();
    stage
        .thenCompose(
            v -> {
              Object answer;
              try {
                answer = value.map(v);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
              if (answer instanceof Response r) {
                return CompletableFuture.completedFuture(r);
              }
              if (answer instanceof CompletionStage<?> next) {
                @SuppressWarnings("unchecked")
                CompletionStage<Response> responses = (CompletionStage<Response>) next;
                return responses;
              }
              throw new IllegalStateException(
                  "a stage completed with a Reply for later; complete it"
                      + " with a Response instead");
            })
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                out.complete(r);
              } else {
                out.completeExceptionally(e);
              }
            });
    return cancelling(out, stage);
  }

  /**
   * A future the starter made itself, so that it may cancel it: never one a handler method
   * returned, which others may be waiting on too (a cache's, a single-flight map's).
   */
  static final class OwnedFuture<T> extends CompletableFuture<T> {}

  /**
   * {@code dependent}, which cancels {@code source} when it is cancelled, if the starter made
   * {@code source} (an {@link OwnedFuture}: a {@code Mono}'s subscription behind it, say): a stage
   * made from another does not pass its cancel back by itself, and the connection cancels the
   * answer it waits for when it ends. A stage the method returned is left alone: its late answer is
   * dropped.
   */
  static <T> CompletableFuture<T> cancelling(
      CompletableFuture<T> dependent, CompletionStage<?> source) {
    if (source instanceof OwnedFuture<?> owned) {
      dependent.whenComplete(
          (value, error) -> {
            if (dependent.isCancelled()) {
              owned.cancel(false);
            }
          });
    }
    return dependent;
  }

  /**
   * Why an answer of {@code type} is refused whatever the codec (a primitive other than the flags'
   * {@code int} and {@code long}, or a type {@link PayloadTypes#refused} names), or null; {@code
   * verb} ("returns ", "completes with ") begins the sentence. Handler and exception-handler
   * methods share it.
   */
  static String refusedAnswer(Class<?> type, String verb) {
    if (type.isPrimitive() && type != void.class && type != long.class && type != int.class) {
      return "cannot answer with a " + type + "; return int or long flags";
    }
    String refused = PayloadTypes.refused(type);
    return refused == null ? null : verb + type.getSimpleName() + ", which " + refused;
  }

  /**
   * Why a result of {@code type} cannot be served by the starter's kinds, or null when it can;
   * {@code value}: the type is what a stage or a publisher completes with.
   */
  private static String refusedResult(Class<?> type, boolean value) {
    if (value && (CompletionStage.class.isAssignableFrom(type) || isReactive(type))) {
      return "a stage of a stage cannot be served";
    }
    if (value && Reply.class.isAssignableFrom(type) && type != Response.class) {
      // a Reply may itself be one for later, which only the core can wait for
      return "a stage of a Reply cannot be served; return a CompletionStage<Response>, or the"
          + " Reply itself (Reply.later(stage) for a later one)";
    }
    String verb = value ? "completes with " : "returns ";
    String refused = refusedAnswer(type, verb);
    if (refused != null) {
      return refused;
    }
    if (!CompletionStage.class.isAssignableFrom(type)
        && (isReactive(type) || Future.class.isAssignableFrom(type))
        && (!REACTIVE || ReactiveReturns.adapter(type) == null)) {
      return verb + type.getSimpleName() + ", which " + unadapted(type);
    }
    return null;
  }

  /**
   * Why a result of {@code type}, which no adapter of Spring's {@code ReactiveAdapterRegistry}
   * takes, cannot be waited for, and what to do instead, by what is on the class path.
   */
  static String unadapted(Class<?> type) {
    if (!isReactive(type)) {
      return "only a blocked thread could wait for; return a CompletionStage (a"
          + " CompletableFuture) instead";
    }
    if (!REACTOR) {
      return "needs Reactor on the class path to be waited for (Spring adapts reactive types"
          + " through it); add reactor-core, or return a CompletionStage";
    }
    if (type.getName().startsWith("kotlinx.coroutines.") && !COROUTINES_REACTOR) {
      return "needs kotlinx-coroutines-reactor on the class path to be waited for; add it, or"
          + " return a CompletionStage";
    }
    return "no ReactiveAdapterRegistry adapter takes; return a Mono, a Flux or a CompletionStage,"
        + " or register an adapter for "
        + type.getSimpleName()
        + " with ReactiveAdapterRegistry.getSharedInstance()";
  }
}
