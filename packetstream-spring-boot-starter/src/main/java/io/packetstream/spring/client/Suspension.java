package io.packetstream.spring.client;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Exchange methods that are Kotlin {@code suspend} functions: what the compiler makes of {@code
 * suspend fun quote(item: String): Quote} is {@code Object quote(String, Continuation<? super
 * Quote>)}, which returns the answer or a marker that it will resume the continuation later.
 * kotlinx-coroutines-core's {@code CompletionStage.await} does the suspending; a cancelled
 * coroutine stops waiting.
 */
final class Suspension {

  private static final String CONTINUATION = "kotlin.coroutines.Continuation";

  /** Whether kotlinx-coroutines-core is on the class path to suspend with. */
  static final boolean SUPPORTED =
      ClassUtils.isPresent("kotlinx.coroutines.future.FutureKt", Suspension.class.getClassLoader());

  private Suspension() {}

  /** Whether {@code method} is a Kotlin {@code suspend} function (a continuation comes last). */
  static boolean isSuspending(Method method) {
    Class<?>[] types = method.getParameterTypes();
    return types.length > 0 && types[types.length - 1].getName().equals(CONTINUATION);
  }

  /**
   * What the suspend function {@code method} of {@code type} returns: its continuation's type
   * argument, the {@code T} of {@code Continuation<? super T>}.
   */
  static ResolvableType result(Method method, Class<?> type) {
    ResolvableType argument =
        ResolvableType.forMethodParameter(method, method.getParameterCount() - 1, type)
            .getGeneric(0);
    if (argument.getType() instanceof java.lang.reflect.WildcardType w
        && w.getLowerBounds().length == 1) {
      return ResolvableType.forType(w.getLowerBounds()[0], argument);
    }
    return argument;
  }

  /**
   * What needs Kotlin and kotlinx-coroutines on the class path, in a class of its own: the JVM
   * loads it, and the Kotlin types its code names, only when a suspend function is called, so an
   * application without Kotlin never does.
   */
  static final class Kotlin {

    private Kotlin() {}

    /** What a suspend function of no result returns. */
    static Object unit() {
      return kotlin.Unit.INSTANCE;
    }

    /**
     * Whether {@code continuation} would run on the thread that completes what it awaits: it has no
     * dispatcher, or one that does not dispatch (Unconfined, as Spring's suspend handlers run).
     */
    static boolean resumesWhereItIsCompleted(@Nullable Object continuation) {
      kotlin.coroutines.CoroutineContext context =
          ((kotlin.coroutines.Continuation<?>) continuation).getContext();
      kotlin.coroutines.ContinuationInterceptor interceptor =
          context.get(kotlin.coroutines.ContinuationInterceptor.Key);
      return interceptor == null
          || (interceptor instanceof kotlinx.coroutines.CoroutineDispatcher dispatcher
              && !dispatcher.isDispatchNeeded(context));
    }

    /**
     * Suspends {@code continuation} until {@code answer} completes: the answer itself if it has,
     * else the marker that the continuation will be resumed.
     */
    @SuppressWarnings("unchecked")
    static @Nullable Object await(CompletableFuture<Object> answer, @Nullable Object continuation) {
      return kotlinx.coroutines.future.FutureKt.await(
          answer, (kotlin.coroutines.Continuation<? super Object>) continuation);
    }
  }
}
