package io.packetstream.spring.handler;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.ExceptionDepthComparator;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * The {@link PacketExceptionHandler} methods of one bean, checked at start-up and looked up by
 * exception type, the closest first; a lookup is cached per exception class.
 */
final class ExceptionHandlers {

  /** What an exception-handler parameter receives. */
  private enum Kind {
    EXCEPTION,
    HANDLER,
    CONTEXT,
    REQUEST,
    CONNECTION
  }

  /**
   * One exception-handler method, ready to call; {@code warned} holds the exception classes of its
   * own failures already logged at WARN.
   */
  private record Invocable(
      String description, MethodHandle handle, Kind[] kinds, Set<Class<?>> warned) {}

  /** The answer for one failure, and the handler method it is for. */
  record Call(Request request, PacketHandlerMethod handler, Throwable failure) {}

  /**
   * An exception-handler method failed: it threw, its stage failed, or its result could not be
   * encoded. Its cause is that failure; {@link #outcome} says what becomes of the failure it was
   * handling.
   */
  static final class Failed extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Invocable invocable;

    private Failed(Invocable invocable, Throwable cause) {
      super("@PacketExceptionHandler " + invocable.description() + " failed", cause, false, false);
      this.invocable = invocable;
    }
  }

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(ExceptionHandlers.class);

  /** How many exception classes of one method's own failures are logged at WARN, at most. */
  private static final int MAX_WARNED = 16;

  private static final Optional<Invocable> NONE = Optional.empty();

  private final Map<Class<? extends Throwable>, Invocable> byType;
  private final Map<Class<?>, Optional<Invocable>> cache = new ConcurrentHashMap<>();
  private final PayloadCodec codec;

  private ExceptionHandlers(Map<Class<? extends Throwable>, Invocable> byType, PayloadCodec codec) {
    this.byType = byType;
    this.codec = codec;
  }

  /**
   * The exception handlers of {@code bean}, or null when it has none; records a problem for each
   * that cannot be served.
   */
  static ExceptionHandlers of(
      String beanName, Object bean, PayloadCodec codec, List<String> problems) {
    Class<?> type = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
    Map<Method, PacketExceptionHandler> methods =
        MethodIntrospector.selectMethods(
            type,
            (MethodIntrospector.MetadataLookup<PacketExceptionHandler>)
                m -> AnnotatedElementUtils.findMergedAnnotation(m, PacketExceptionHandler.class));
    if (methods.isEmpty()) {
      return null;
    }
    Map<Class<? extends Throwable>, Invocable> byType = new LinkedHashMap<>();
    methods.forEach(
        (m, a) -> {
          String description = HandlerSignature.describe(m, beanName);
          int before = problems.size();
          Class<?>[] params = m.getParameterTypes();
          if (PayloadTypes.isSuspending(m)) {
            problems.add(
                description
                    + ": is a Kotlin suspend function, which a @PacketExceptionHandler cannot be;"
                    + " make it a plain function, returning a CompletableFuture for an answer that"
                    + " comes later");
            return;
          }
          Kind[] kinds = new Kind[params.length];
          List<Class<? extends Throwable>> declared = new ArrayList<>();
          for (int i = 0; i < params.length; i++) {
            Class<?> p = params[i];
            if (Throwable.class.isAssignableFrom(p)) {
              kinds[i] = Kind.EXCEPTION;
              declared.add(p.asSubclass(Throwable.class));
            } else if (p == PacketHandlerMethod.class) {
              kinds[i] = Kind.HANDLER;
            } else if (p == RequestContext.class) {
              kinds[i] = Kind.CONTEXT;
            } else if (p == Request.class) {
              kinds[i] = Kind.REQUEST;
            } else if (p == PacketConnection.class) {
              kinds[i] = Kind.CONNECTION;
            } else {
              problems.add(
                  description
                      + ": @PacketExceptionHandler parameter "
                      + i
                      + " ("
                      + p.getSimpleName()
                      + ") cannot be resolved; it may take the exception,"
                      + " PacketHandlerMethod, RequestContext, Request or PacketConnection");
            }
          }
          String refusal = refusedReturn(m, codec);
          if (refusal != null) {
            problems.add(description + ": " + refusal);
          }
          List<Class<? extends Throwable>> handled =
              a.value().length > 0 ? List.of(a.value()) : declared;
          if (handled.isEmpty()) {
            problems.add(
                description
                    + ": says no exception type: give @PacketExceptionHandler"
                    + " one, or take the exception as a parameter");
          }
          MethodHandle handle =
              problems.size() > before ? null : handle(bean, m, description, problems);
          if (problems.size() > before) {
            return;
          }
          Invocable invocable =
              new Invocable(description, handle, kinds, ConcurrentHashMap.newKeySet());
          for (Class<? extends Throwable> t : handled) {
            Invocable other = byType.putIfAbsent(t, invocable);
            if (other != null) {
              problems.add(
                  "exception "
                      + t.getSimpleName()
                      + " has 2 @PacketExceptionHandler"
                      + " methods on bean '"
                      + beanName
                      + "': "
                      + other.description()
                      + " and "
                      + description);
            }
          }
        });
    return new ExceptionHandlers(byType, codec);
  }

  /**
   * Why what {@code m} returns cannot be an answer, or null when it can: the kinds {@link #notOk}
   * maps, a core reply, or a {@link CompletionStage} of one of those.
   */
  private static String refusedReturn(Method m, PayloadCodec codec) {
    Class<?> type = m.getReturnType();
    if (CompletionStage.class.isAssignableFrom(type)) {
      Class<?> value =
          ResolvableType.forMethodReturnType(m)
              .as(CompletionStage.class)
              .getGeneric(0)
              .resolve(Object.class);
      if (CompletionStage.class.isAssignableFrom(value)
          || Future.class.isAssignableFrom(value)
          || HandlerSignature.isReactive(value)
          || (Reply.class.isAssignableFrom(value) && value != Response.class)) {
        return "completes with "
            + value.getSimpleName()
            + ", which cannot be waited for; complete the stage with the answer itself";
      }
      return refusedValue(value, "completes with ", codec);
    }
    if (Future.class.isAssignableFrom(type) || HandlerSignature.isReactive(type)) {
      return "returns "
          + type.getSimpleName()
          + ", which an exception handler cannot wait for; return a CompletionStage";
    }
    return refusedValue(type, "returns ", codec);
  }

  private static String refusedValue(Class<?> type, String verb, PayloadCodec codec) {
    String refused = HandlerSignature.refusedAnswer(type, verb);
    if (refused != null) {
      return refused;
    }
    if (type.isPrimitive()
        || type == Object.class
        || type == Void.class
        || type == String.class
        || type == byte[].class
        || type == Long.class
        || type == Integer.class
        || type == PacketReply.class
        || ByteBuffer.class.isAssignableFrom(type)
        || Reply.class.isAssignableFrom(type)) {
      return null;
    }
    if (codec == null) {
      return verb
          + type.getSimpleName()
          + ", which needs a PayloadCodec bean to encode it, and there is none (add Jackson to the"
          + " class path or define a PayloadCodec)";
    }
    return null;
  }

  private static MethodHandle handle(
      Object bean, Method m, String description, List<String> problems) {
    try {
      return HandlerSignature.spreadHandle(
          bean, AopUtils.selectInvocableMethod(m, bean.getClass()));
    } catch (IllegalAccessException | RuntimeException e) {
      problems.add(description + ": cannot be called on its bean: " + e.getMessage());
      return null;
    }
  }

  /** The failure behind the wrappers that stages and reflection put around it. */
  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException
            || e instanceof ExecutionException
            || e instanceof UndeclaredThrowableException
            || e instanceof InvocationTargetException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * The answer of the first of {@code chain} that handles {@code call}'s failure or one of its
   * causes (a Response, a stage of one or a core Reply), or null when none does.
   *
   * @throws Failed if the exception handler that answers fails
   */
  static Object answer(List<ExceptionHandlers> chain, Call call) {
    for (ExceptionHandlers handlers : chain) {
      for (Throwable e = call.failure(); e != null; e = e.getCause() == e ? null : e.getCause()) {
        Optional<Invocable> found = handlers.find(e.getClass());
        if (found.isPresent()) {
          return handlers.invoke(found.get(), call, e);
        }
      }
    }
    return null;
  }

  private Optional<Invocable> find(Class<?> exceptionType) {
    return cache.computeIfAbsent(
        exceptionType,
        t -> {
          List<Class<? extends Throwable>> matches = new ArrayList<>();
          for (Class<? extends Throwable> handled : byType.keySet()) {
            if (handled.isAssignableFrom(t)) {
              matches.add(handled);
            }
          }
          if (matches.isEmpty()) {
            return NONE;
          }
          @SuppressWarnings("unchecked")
          Class<? extends Throwable> thrown = (Class<? extends Throwable>) t;
          matches.sort(new ExceptionDepthComparator(thrown));
          return Optional.of(byType.get(matches.get(0)));
        });
  }

  /**
   * A Response, a stage of one or a core Reply: what the exception handler made of {@code e}. Its
   * own failure, now or in the stage, is a {@link Failed}, which no exception handler handles.
   */
  private Object invoke(Invocable invocable, Call call, Throwable e) {
    Kind[] kinds = invocable.kinds();
    Object[] args = new Object[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      switch (kinds[i]) {
        case EXCEPTION:
          args[i] = e;
          break;
        case HANDLER:
          args[i] = call.handler();
          break;
        case CONTEXT:
          args[i] = RequestContext.of(call.request());
          break;
        case REQUEST:
          args[i] = call.request();
          break;
        default:
          args[i] = call.request().connection();
      }
    }
    Object result;
    try {
      result = (Object) invocable.handle().invokeExact(args);
    } catch (Throwable thrown) {
      throw new Failed(invocable, thrown);
    }
    if (result instanceof CompletionStage<?> stage) {
      return stage.handle(
          (value, error) -> {
            if (error != null) {
              throw new Failed(invocable, unwrap(error));
            }
            return answerOf(invocable, value);
          });
    }
    if (result instanceof Reply r && !(r instanceof Response)) {
      return r;
    }
    return answerOf(invocable, result);
  }

  private Response answerOf(Invocable invocable, Object result) {
    try {
      return notOk(result);
    } catch (RuntimeException e) {
      throw new Failed(invocable, e);
    }
  }

  /**
   * What is left to report when an exception handler failed while handling {@code original} from
   * {@code handler}: the {@link RequestFailedException} it threw, which is its answer; otherwise
   * {@code original}, which goes on unhandled (a failure of an exception handler is not handled
   * again, as in Spring MVC). Unless the exception handler rethrew {@code original} or one of its
   * causes, its failure is logged at WARN, naming it and what it was handling, the first time for
   * each exception class (then at DEBUG, so that a peer cannot flood the log).
   */
  static Throwable outcome(Failed failed, Throwable original, String handler) {
    Throwable thrown = failed.getCause();
    if (thrown instanceof RequestFailedException) {
      return thrown;
    }
    for (Throwable e = original; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e == thrown) {
        return original;
      }
    }
    Invocable invocable = failed.invocable;
    Set<Class<?>> warned = invocable.warned();
    boolean first = warned.size() < MAX_WARNED && warned.add(thrown.getClass());
    LOG.log(
        first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
        () ->
            "@PacketExceptionHandler "
                + invocable.description()
                + " failed while handling "
                + original
                + " from "
                + handler
                + "; that failure goes on unhandled"
                + (first
                    ? " (this exception handler's further "
                        + thrown.getClass().getName()
                        + " failures are logged at DEBUG)"
                    : ""),
        thrown);
    return original;
  }

  /**
   * What an exception handler returned, as a not-ok answer unless it is a Response: the flags and
   * payload a handler method's result of that class would give.
   */
  private Response notOk(Object result) {
    if (result instanceof Response r) {
      return r;
    }
    Response ok = StandardReturns.response(result, codec);
    return Response.failure(ok.flags(), ok.payload());
  }
}
