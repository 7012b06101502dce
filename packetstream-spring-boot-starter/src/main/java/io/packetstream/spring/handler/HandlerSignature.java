package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.validation.Validator;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Chooses, once per method, how each parameter is filled and how the result becomes a reply;
 * records a problem for anything it cannot serve instead of failing at the first request.
 *
 * <p>Reactive results go through Spring's {@code ReactiveAdapterRegistry} when Reactive Streams
 * is on the class path (a {@code Flux} is answered with the list of its values), and Kotlin
 * {@code suspend} functions through {@code CoroutinesUtils} when kotlinx-coroutines-reactor is;
 * without them such a method is refused at start-up, as is every type that could only be mapped
 * wrongly (streams, iterators, {@code Optional}, a {@code Future} that is not a stage).
 */
final class HandlerSignature {

  private static final ClassLoader LOADER = HandlerSignature.class.getClassLoader();
  private static final boolean REACTIVE = ClassUtils.isPresent("org.reactivestreams.Publisher", LOADER);
  private static final boolean COROUTINES = REACTIVE && KotlinDetector.isKotlinReflectPresent()
      && ClassUtils.isPresent("kotlinx.coroutines.reactor.MonoKt", LOADER);
  private static final String CONTINUATION = "kotlin.coroutines.Continuation";
  /** Types that are reactive by their hierarchy or package, whether an adapter exists or not. */
  private static final List<String> REACTIVE_TYPES = List.of("org.reactivestreams.Publisher",
      Flow.Publisher.class.getName(), "kotlinx.coroutines.flow.Flow", "kotlinx.coroutines.Deferred");
  private static final List<String> REACTIVE_PACKAGES = List.of("reactor.core.publisher.",
      "io.reactivex.", "io.smallrye.mutiny.", "kotlinx.coroutines.");

  private final PayloadCodec codec;
  private final Validator validator;
  private final List<PacketArgumentResolver> argumentResolvers;
  private final List<PacketReturnValueHandler> returnValueHandlers;

  /**
   * {@code codec} may be null: then only bytes, text and flags are served; {@code validator}
   * may be null: then a payload parameter that asks for validation is refused. The application's
   * resolvers and return value handlers come first, in their order.
   */
  HandlerSignature(PayloadCodec codec, Validator validator,
      List<PacketArgumentResolver> argumentResolvers,
      List<PacketReturnValueHandler> returnValueHandlers) {
    this.codec = codec;
    this.validator = validator;
    this.argumentResolvers = List.copyOf(argumentResolvers);
    this.returnValueHandlers = List.copyOf(returnValueHandlers);
  }

  /** Whether {@code method} is a Kotlin {@code suspend} function (a continuation comes last). */
  static boolean isSuspending(Method method) {
    Class<?>[] types = method.getParameterTypes();
    return types.length > 0 && types[types.length - 1].getName().equals(CONTINUATION);
  }

  ArgumentResolver[] resolvers(Method method, String description, List<String> problems) {
    Parameter[] params = method.getParameters();
    int count = params.length;
    if (isSuspending(method)) {
      if (!COROUTINES) {
        problems.add(description + ": is a Kotlin suspend function, which needs"
            + " kotlinx-coroutines-reactor and kotlin-reflect on the class path; add them, or"
            + " make it a plain function");
      }
      count--;
    }
    ArgumentResolver[] resolvers = new ArgumentResolver[count];
    int payloadParams = 0;
    for (int i = 0; i < count; i++) {
      MethodParameter parameter = new MethodParameter(method, i);
      Class<?> type = params[i].getType();
      if (params[i].isAnnotationPresent(PacketFlags.class) && type != long.class
          && type != Long.class && type != int.class && type != Integer.class) {
        problems.add(description + ": @PacketFlags parameter " + i + " must be int or long, not "
            + type.getSimpleName());
        continue;
      }
      PacketArgumentResolver chosen = first(argumentResolvers, parameter);
      if (chosen == null) {
        chosen = first(StandardArguments.SIMPLE, parameter);
      }
      if (chosen == null) {
        String refused = refusedParameter(type);
        Object[] hints = StandardArguments.validationHints(parameter);
        if (type.isPrimitive() || type == Long.class || type == Integer.class) {
          problems.add(description + ": parameter " + i + " (" + type.getSimpleName()
              + ") cannot be resolved; annotate it @PacketFlags to receive the request flags");
          continue;
        } else if (refused != null) {
          problems.add(description + ": parameter " + i + " (" + type.getSimpleName() + ") "
              + refused);
          continue;
        } else if (codec == null) {
          problems.add(description + ": parameter " + i + " (" + type.getSimpleName()
              + ") needs a PayloadCodec bean to decode the payload, and there is none"
              + " (add Jackson to the class path or define a PayloadCodec)");
          continue;
        } else if (hints != null && validator == null) {
          problems.add(description + ": parameter " + i + " (" + type.getSimpleName()
              + ") asks for validation, and there is no Validator bean (add"
              + " spring-boot-starter-validation)");
          continue;
        }
        chosen = StandardArguments.decoded(codec, validator, hints);
      }
      if (chosen instanceof StandardArguments.PayloadResolver && ++payloadParams > 1) {
        problems.add(description + ": more than one parameter takes the payload");
      }
      PacketArgumentResolver resolver = chosen;
      resolvers[i] = rq -> resolver.resolveArgument(parameter, rq);
    }
    return resolvers;
  }

  private static PacketArgumentResolver first(List<PacketArgumentResolver> resolvers,
      MethodParameter parameter) {
    for (PacketArgumentResolver r : resolvers) {
      if (r.supportsParameter(parameter)) {
        return r;
      }
    }
    return null;
  }

  /** The first line of a codec's message, at most 200 characters: Jackson's go on for a page. */
  static String firstLine(String message) {
    if (message == null) {
      return "malformed";
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  /** Why a payload parameter of {@code type} cannot be served, or null when it can. */
  private static String refusedParameter(Class<?> type) {
    if (CompletionStage.class.isAssignableFrom(type) || Future.class.isAssignableFrom(type)
        || isReactive(type)) {
      return "is asynchronous, but a request's payload arrives whole: take the value itself";
    }
    return refused(type);
  }

  /** Why {@code type} can be neither decoded nor encoded faithfully, or null. */
  private static String refused(Class<?> type) {
    if (InputStream.class.isAssignableFrom(type) || OutputStream.class.isAssignableFrom(type)
        || Reader.class.isAssignableFrom(type) || Writer.class.isAssignableFrom(type)
        || Channel.class.isAssignableFrom(type)) {
      return "is an I/O stream, which a payload codec cannot read or write; a payload arrives"
          + " and leaves whole: use byte[], ByteBuffer or String";
    }
    if (BaseStream.class.isAssignableFrom(type) || Iterator.class.isAssignableFrom(type)) {
      return "is single-use and lazy: use a List";
    }
    if (type == Optional.class || type == OptionalInt.class || type == OptionalLong.class
        || type == OptionalDouble.class) {
      return "is an Optional: use the value itself (null answers ok with no payload)";
    }
    if (Runnable.class.isAssignableFrom(type) || Callable.class.isAssignableFrom(type)
        || Thread.class.isAssignableFrom(type)
        || type.getName().startsWith("java.util.function.")) {
      return "is code, not data, and cannot be encoded";
    }
    return null;
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

  ResponseMapper mapper(Method method, String description, List<String> problems) {
    if (isSuspending(method)) {
      // the declared return type is Object; CoroutinesUtils gives a publisher of the result
      return COROUTINES ? result -> adapted(result, this::dynamic) : null;
    }
    MethodParameter returnType = new MethodParameter(method, -1);
    for (PacketReturnValueHandler h : returnValueHandlers) {
      if (h.supportsReturnType(returnType)) {
        return result -> h.handleReturnValue(result, returnType);
      }
    }
    ResolvableType returned = ResolvableType.forMethodReturnType(method);
    Class<?> type = returned.toClass();
    if (CompletionStage.class.isAssignableFrom(type)) {
      ResponseMapper now = inner(returned.as(CompletionStage.class).getGeneric(0), description,
          problems);
      if (now == null) {
        return null;
      }
      return result -> {
        if (result == null) {
          return Response.empty();
        }
        return ((CompletionStage<?>) result).thenApply(v -> {
          try {
            return (Response) now.map(v);
          } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
      };
    }
    if (type == Reply.class) {
      return result -> result == null ? Response.empty() : (Reply) result;
    }
    if (type == Object.class) {
      // an Object may be a Reply for later, which the core waits for, or a reactive type
      return result -> result instanceof Reply r ? r : runtime(result);
    }
    ReactiveAdapter adapter = REACTIVE ? ReactiveReturns.adapter(type) : null;
    if (adapter != null) {
      return reactive(adapter, returned, description, problems);
    }
    if (isReactive(type) || Future.class.isAssignableFrom(type)) {
      problems.add(description + ": returns " + type.getSimpleName() + ", which no"
          + " ReactiveAdapterRegistry adapter on the class path can wait for without blocking;"
          + " return a CompletionStage, or add Reactor to the class path for reactive types");
      return null;
    }
    return plain(type, description, problems);
  }

  /** The mapper for the value a stage or a single-value publisher completes with. */
  private ResponseMapper inner(ResolvableType inner, String description, List<String> problems) {
    Class<?> innerType = inner.resolve(Object.class);
    if (CompletionStage.class.isAssignableFrom(innerType) || isReactive(innerType)) {
      problems.add(description + ": a stage of a stage cannot be served");
      return null;
    }
    if (Reply.class.isAssignableFrom(innerType) && innerType != Response.class) {
      // a Reply may itself be one for later, which only the core can wait for
      problems.add(description + ": a stage of a Reply cannot be served; return a"
          + " CompletionStage<Response>, or the Reply itself (Reply.later(stage) for a later one)");
      return null;
    }
    return plain(innerType, description, problems);
  }

  /** A Mono-like type answers with its value, a Flux-like one with the list of its values. */
  private ResponseMapper reactive(ReactiveAdapter adapter, ResolvableType returned,
      String description, List<String> problems) {
    ResponseMapper each;
    if (adapter.isNoValue()) {
      each = value -> Response.empty();
    } else if (adapter.isMultiValue()) {
      if (codec == null) {
        problems.add(description + ": returns " + returned.toClass().getSimpleName()
            + ", answered with the list of its values, which needs a PayloadCodec bean to"
            + " encode it, and there is none (add Jackson to the class path or define one)");
        return null;
      }
      PayloadCodec c = codec;
      each = list -> Response.ok(c.encode(list));
    } else {
      each = inner(returned.getGeneric(0), description, problems);
      if (each == null) {
        return null;
      }
    }
    ResponseMapper value = each;
    return result -> result == null ? Response.empty() : adapted(result, value);
  }

  private static CompletionStage<Response> adapted(Object publisher, ResponseMapper mapper) {
    ReactiveAdapter adapter = ReactiveReturns.adapter(publisher.getClass());
    if (adapter == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no ReactiveAdapter for "
          + publisher.getClass().getName()));
    }
    return ReactiveReturns.collect(adapter, publisher).thenApply(v -> {
      try {
        return (Response) mapper.map(v);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  /** Maps a result declared as Object: a reactive one by its adapter, the rest by its class. */
  private Object runtime(Object result) {
    if (REACTIVE && result != null && !(result instanceof CompletionStage)
        && ReactiveReturns.adapter(result.getClass()) != null) {
      return adapted(result, this::dynamic);
    }
    return dynamic(result);
  }

  /** A mapper for a type that is not a stage; its replies are always {@link Response}s. */
  private ResponseMapper plain(Class<?> type, String description, List<String> problems) {
    if (type == void.class || type == Void.class) {
      return result -> Response.empty();
    }
    if (type == long.class || type == int.class || type == Long.class || type == Integer.class) {
      return result -> result == null ? Response.empty() : Response.ok(((Number) result).longValue());
    }
    if (type == byte[].class) {
      return result -> result == null ? Response.empty() : Response.ok((byte[]) result);
    }
    if (type == String.class) {
      return result -> result == null ? Response.empty() : Response.ok((String) result);
    }
    if (ByteBuffer.class.isAssignableFrom(type) || type == PacketReply.class
        || type == Response.class || type == Object.class) {
      return this::dynamic;
    }
    if (type.isPrimitive()) {
      problems.add(description + ": cannot answer with a " + type + "; return int or long flags");
      return null;
    }
    String refused = refused(type);
    if (refused != null) {
      problems.add(description + ": returns " + type.getSimpleName() + ", which " + refused);
      return null;
    }
    if (codec == null) {
      problems.add(description + ": returns " + type.getSimpleName()
          + ", which needs a PayloadCodec bean to encode it, and there is none"
          + " (add Jackson to the class path or define a PayloadCodec)");
      return null;
    }
    PayloadCodec c = codec;
    return result -> result == null ? Response.empty() : Response.ok(c.encode(result));
  }

  /** Maps by the result's class, for results declared as Object or as a general type. */
  private Response dynamic(Object result) {
    if (result == null) {
      return Response.empty();
    }
    if (result instanceof Response r) {
      return r;
    }
    if (result instanceof Reply) {
      throw new IllegalStateException("a stage completed with a Reply for later; complete it"
          + " with a Response instead");
    }
    if (result instanceof byte[] b) {
      return Response.ok(b);
    }
    if (result instanceof String s) {
      return Response.ok(s);
    }
    if (result instanceof PacketReply p) {
      return Response.ok(p.flags(), p.payload());
    }
    if (result instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return Response.ok(bytes);
    }
    if (result instanceof Long || result instanceof Integer) {
      return Response.ok(((Number) result).longValue());
    }
    String refused = refused(result.getClass());
    if (refused != null || isReactive(result.getClass()) || result instanceof Future) {
      throw new IllegalStateException("cannot answer with a " + result.getClass().getName()
          + (refused != null ? ", which " + refused : ": declare the method's return type"));
    }
    if (codec == null) {
      throw new IllegalStateException("cannot encode a " + result.getClass().getName()
          + " without a PayloadCodec bean");
    }
    return Response.ok(codec.encode(result));
  }
}
