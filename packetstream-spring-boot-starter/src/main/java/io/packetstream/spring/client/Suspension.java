package io.packetstream.spring.client;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * Exchange methods that are Kotlin {@code suspend} functions ({@link
 * io.packetstream.spring.handler.PayloadTypes#isSuspending}): such a method returns the answer or a
 * marker that it will resume its continuation later. kotlinx-coroutines-core's {@code
 * CompletionStage.await} does the suspending; a cancelled coroutine cancels what it awaits, the
 * call.
 */
final class Suspension {

  /** Whether kotlinx-coroutines-core is on the class path to suspend with. */
  static final boolean SUPPORTED =
      ClassUtils.isPresent("kotlinx.coroutines.future.FutureKt", Suspension.class.getClassLoader());

  private Suspension() {}

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
