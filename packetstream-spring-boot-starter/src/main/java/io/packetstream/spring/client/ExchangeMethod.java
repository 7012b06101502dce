package io.packetstream.spring.client;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.spring.handler.PacketChannel;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PayloadTypes;
import io.packetstream.wire.Packet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * One {@link PacketExchange} method, mapped once when its proxy is made: where the payload and
 * flags come from, where the request goes and how the answer comes back.
 */
final class ExchangeMethod {

  private final String description;
  private final long channel;
  private final long rqType;
  private final int payloadIndex;
  private final int flagsIndex;
  private final TypedCalls.AnswerReader reader;
  private final boolean async;

  /** Whether it returns a Reactor {@code Mono}, which sends the request when subscribed to. */
  private final boolean mono;

  /** Whether it is a Kotlin {@code suspend} function: its last argument is the continuation. */
  private final boolean suspending;

  /** Whether it is a {@code suspend} function of no result: it resumes with {@code Unit}. */
  private final boolean unit;

  private final Class<?>[] declared;

  /**
   * Where suspend callers without a dispatcher resume: threads of their own, made as needed and
   * kept 30 s, never the event loop, where code that blocks would hold up every connection of the
   * loop.
   */
  private static final java.util.concurrent.Executor RESUMING = resuming();

  private static java.util.concurrent.Executor resuming() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return new java.util.concurrent.ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        30,
        java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "packetstream-resume-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private ExchangeMethod(
      String description,
      long channel,
      long rqType,
      int payloadIndex,
      int flagsIndex,
      TypedCalls.AnswerReader reader,
      boolean async,
      boolean mono,
      boolean suspending,
      boolean unit,
      Class<?>[] declared) {
    this.mono = mono;
    this.description = description;
    this.channel = channel;
    this.rqType = rqType;
    this.payloadIndex = payloadIndex;
    this.flagsIndex = flagsIndex;
    this.reader = reader;
    this.async = async;
    this.suspending = suspending;
    this.unit = unit;
    this.declared = declared;
  }

  static String describe(Class<?> type, Method method) {
    return type.getSimpleName()
        + "."
        + method.getName()
        + "("
        + Arrays.stream(method.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", "))
        + ")";
  }

  /** Whether {@code method} is one a proxy of {@code type} must map (or refuse). */
  static boolean isExchange(Method method) {
    return !Modifier.isStatic(method.getModifiers())
        && !ReflectionUtils.isEqualsMethod(method)
        && !ReflectionUtils.isHashCodeMethod(method)
        && !ReflectionUtils.isToStringMethod(method)
        && (!method.isDefault() || method.isAnnotationPresent(PacketExchange.class));
  }

  /** The mapping of {@code method} of {@code type}, or null after adding to {@code problems}. */
  static @Nullable ExchangeMethod of(
      Class<?> type, Method method, TypedCalls calls, List<String> problems) {
    String description = describe(type, method);
    PacketExchange exchange = method.getAnnotation(PacketExchange.class);
    if (exchange == null) {
      problems.add(
          description
              + ": has no @PacketExchange; every abstract method of an exchange"
              + " interface sends a request (make it a default method if it should not)");
      return null;
    }
    int before = problems.size();
    if (method.isDefault()) {
      problems.add(description + ": is a default method: a @PacketExchange method has no body");
    }
    if (exchange.type() < 0 || exchange.type() > Packet.MAX_RQ_TYPE) {
      problems.add(
          description
              + ": request type "
              + exchange.type()
              + " is out of range 0.."
              + Packet.MAX_RQ_TYPE);
    }
    long channel = exchange.channel();
    if (channel == -1) {
      PacketChannel onType = AnnotatedElementUtils.findMergedAnnotation(type, PacketChannel.class);
      channel = onType == null ? 0 : onType.value();
    }
    if (channel < 0) {
      problems.add(description + ": channel " + channel + " is negative");
    }
    int payloadIndex = -1;
    int flagsIndex = -1;
    Parameter[] params = method.getParameters();
    boolean suspending = PayloadTypes.isSuspending(method);
    if (suspending && !Suspension.SUPPORTED) {
      problems.add(
          description
              + ": is a Kotlin suspend function, which needs kotlinx-coroutines-core on the class"
              + " path; add it, or return a CompletableFuture");
    }
    int count = suspending ? params.length - 1 : params.length;
    for (int i = 0; i < count; i++) {
      Class<?> p = params[i].getType();
      if (params[i].isAnnotationPresent(PacketFlags.class)) {
        if (p != long.class && p != Long.class && p != int.class && p != Integer.class) {
          problems.add(
              description
                  + ": @PacketFlags parameter "
                  + i
                  + " must be long or int, not "
                  + p.getSimpleName());
        } else if (flagsIndex >= 0) {
          problems.add(description + ": more than one parameter is @PacketFlags");
        }
        flagsIndex = i;
        continue;
      }
      String problem = calls.payloadProblem(p);
      if (problem != null) {
        problems.add(description + ": parameter " + i + " (" + p.getSimpleName() + ") " + problem);
      } else if (payloadIndex >= 0) {
        problems.add(
            description
                + ": more than one parameter is the payload (parameters "
                + payloadIndex
                + " and "
                + i
                + ")");
      }
      payloadIndex = i;
    }
    ResolvableType returned =
        suspending
            ? PayloadTypes.suspendResult(method, type)
            : ResolvableType.forMethodReturnType(method, type);
    Class<?> r = returned.toClass();
    boolean async = !suspending && CompletionStage.class.isAssignableFrom(r);
    boolean mono = !suspending && r.getName().equals(ReactorExchanges.MONO);
    if (!suspending && r.getName().equals(ReactorExchanges.FLUX)) {
      problems.add(
          description
              + ": returns Flux, but an answer is one payload; return a Mono, of a List for"
              + " several values");
      return null;
    }
    ResolvableType answer = answerType(method, type);
    // suspend fun f(...) with no result: a void method's answer, resumed with Unit
    boolean unit = suspending && answer.toClass() == void.class;
    if (suspending
        && (CompletionStage.class.isAssignableFrom(r) || Future.class.isAssignableFrom(r))) {
      problems.add(
          description
              + ": is a suspend function returning "
              + r.getSimpleName()
              + "; return the answer's type itself");
    } else if (async) {
      if (!r.isAssignableFrom(CompletableFuture.class)) {
        problems.add(
            description
                + ": returns "
                + r.getSimpleName()
                + "; return a"
                + " CompletableFuture or a CompletionStage");
      }
    } else if (Future.class.isAssignableFrom(r)) {
      problems.add(
          description
              + ": returns "
              + r.getSimpleName()
              + ", which cannot be completed"
              + " without blocking; return a CompletableFuture");
    }
    String problem = calls.resultProblem(answer);
    if (problem != null) {
      problems.add(
          description + ": the answer's type " + answer.toClass().getSimpleName() + " " + problem);
    }
    if (problems.size() > before) {
      return null;
    }
    return new ExchangeMethod(
        description,
        channel,
        exchange.type(),
        payloadIndex,
        flagsIndex,
        calls.reader(answer),
        async,
        mono,
        suspending,
        unit,
        method.getExceptionTypes());
  }

  /**
   * Sends the request made of {@code args}; for a method that waits, waits for its answer, and
   * refuses to on an event loop thread (where answers' callbacks run), before sending anything.
   */
  @Nullable Object invoke(
      TypedCalls calls, TypedCalls.Submitter submitter, String target, @Nullable Object[] args)
      throws Throwable {
    if (!async && !mono && !suspending && EventLoopGroup.inEventLoop()) {
      throw new IllegalStateException(
          description
              + " waits for its answer, which would block an event loop thread that reads for many"
              + " connections; call it elsewhere or make it return a CompletableFuture");
    }
    long flags = 0;
    if (flagsIndex >= 0 && args[flagsIndex] != null) {
      flags = ((Number) args[flagsIndex]).longValue();
    }
    byte[] payload = calls.encode(payloadIndex < 0 ? null : args[payloadIndex]);
    if (mono) {
      long f = flags;
      return ReactorExchanges.Reactor.lazily(
          () ->
              calls.submit(submitter, target, channel, rqType, f, payload, reader, Duration.ZERO));
    }
    CompletableFuture<Object> answer =
        calls.submit(submitter, target, channel, rqType, flags, payload, reader, Duration.ZERO);
    if (async) {
      return answer;
    }
    if (suspending) {
      // resumed off the event loop that completes the answer: a caller without a dispatcher of its
      // own (a suspend handler's Unconfined) would run on, and could block, that loop; failures as
      // the blocking form throws them
      Object continuation = args[args.length - 1];
      java.util.function.BiFunction<Object, Throwable, CompletableFuture<Object>> settle =
          (value, failure) -> {
            if (failure == null) {
              return CompletableFuture.completedFuture(unit ? Suspension.Kotlin.unit() : value);
            }
            Throwable cause =
                failure instanceof CompletionException c && c.getCause() != null
                    ? c.getCause()
                    : failure;
            return CompletableFuture.failedFuture(unchecked(cause));
          };
      CompletableFuture<Object> resumed =
          (Suspension.Kotlin.resumesWhereItIsCompleted(continuation)
                  ? answer.handleAsync(settle, RESUMING)
                  : answer.handle(settle))
              .thenCompose(f -> f);
      // a cancelled coroutine cancels what it awaited: the call itself
      resumed.whenComplete(
          (v, e) -> {
            if (e instanceof CancellationException) {
              answer.cancel(false);
            }
          });
      return Suspension.Kotlin.await(resumed, continuation);
    }
    try {
      return answer.get();
    } catch (InterruptedException e) {
      answer.cancel(false);
      Thread.currentThread().interrupt();
      throw declares(InterruptedException.class)
          ? e
          : new CancellationException(description + ": interrupted while waiting for the answer");
    } catch (ExecutionException e) {
      throw unchecked(e.getCause());
    }
  }

  /** {@code cause} itself when it is unchecked or the method declares it; else unchecked. */
  private Throwable unchecked(Throwable cause) {
    if (cause instanceof RuntimeException || cause instanceof Error || declares(cause.getClass())) {
      return cause;
    }
    if (cause instanceof TimeoutException t) {
      return new PacketRequestTimeoutException(description + ": " + t.getMessage(), t);
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException(description + ": " + io.getMessage(), io);
    }
    return new IllegalStateException(description + ": " + cause, cause);
  }

  private boolean declares(Class<?> exception) {
    for (Class<?> d : declared) {
      if (d.isAssignableFrom(exception)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return description + " -> type " + rqType + " on channel " + channel;
  }

  /**
   * The type an answer to {@code method} of {@code type} is read as: what it returns, what its
   * stage or Mono completes with, or what a suspend function returns ({@code void} for none, {@code
   * Unit}).
   */
  static ResolvableType answerType(Method method, Class<?> type) {
    if (PayloadTypes.isSuspending(method)) {
      ResolvableType result = PayloadTypes.suspendResult(method, type);
      return result.toClass().getName().equals("kotlin.Unit")
          ? ResolvableType.forClass(void.class)
          : result;
    }
    ResolvableType returned = ResolvableType.forMethodReturnType(method, type);
    if (returned.toClass().getName().equals(ReactorExchanges.MONO)) {
      return returned.getGeneric(0);
    }
    return CompletionStage.class.isAssignableFrom(returned.toClass())
        ? returned.as(CompletionStage.class).getGeneric(0)
        : returned;
  }

  /** The parameter of {@code method} the payload comes from, or null; for AOT hints. */
  static @Nullable MethodParameter payloadParameter(Method method) {
    int count = method.getParameterCount() - (PayloadTypes.isSuspending(method) ? 1 : 0);
    for (int i = 0; i < count; i++) {
      MethodParameter p = new MethodParameter(method, i);
      if (!p.hasParameterAnnotation(PacketFlags.class)) {
        return p;
      }
    }
    return null;
  }
}
