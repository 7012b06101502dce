package io.packetstream.spring.handler;

import io.packetstream.connection.RequestFailedException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.springframework.core.CoroutinesUtils;
import org.springframework.core.MethodParameter;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;

/**
 * Reactive results ({@code Mono}, {@code Flux}, RxJava, Kotlin {@code suspend} functions) as stages
 * the core can wait for, through Spring's {@link ReactiveAdapterRegistry}. Only used when Reactive
 * Streams is on the class path ({@link HandlerSignature} checks), so that the starter runs without
 * it.
 */
final class ReactiveReturns {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(ReactiveReturns.class);

  /** The property that sets the most values one answer collects, named in the refusal. */
  static final String MAX_VALUES_PROPERTY = "packetstream.max-collected-values";

  private ReactiveReturns() {}

  /** The registry's adapter for {@code type}, or null when it has none. */
  static ReactiveAdapter adapter(Class<?> type) {
    return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
  }

  /**
   * The one value {@code source} publishes (null when it completes empty), or every value as a list
   * when the adapter is for a multi-value type. More than {@code maxValues} values cancel the
   * subscription and fail the stage with a not-ok answer (a WARN log names {@code description}); so
   * does a failure or cancel of the stage by anyone else.
   */
  static CompletableFuture<Object> collect(
      ReactiveAdapter adapter, Object source, int maxValues, String description) {
    Publisher<Object> publisher = adapter.toPublisher(source);
    Collector collector = new Collector(adapter.isMultiValue(), maxValues, description);
    publisher.subscribe(collector);
    return collector.result;
  }

  /**
   * The kind of result for a type Spring's {@link ReactiveAdapterRegistry} adapts ({@code Mono},
   * {@code Flux}, RxJava...): waited for without blocking; a multi-value type's values come as a
   * list, at most {@code maxValues} of them. The adapter is the declared type's, whatever the
   * value's class: {@link HandlerSignature} binds it once per method.
   */
  static final class Handler extends StandardReturns.Later {

    private final int maxValues;

    Handler(int maxValues) {
      this.maxValues = maxValues;
    }

    int maxValues() {
      return maxValues;
    }

    @Override
    boolean supports(Class<?> type) {
      return adapter(type) != null;
    }

    @Override
    public CompletionStage<?> toCompletionStage(Object value, MethodParameter returnType) {
      return collect(
          adapter(returnType.getNestedParameterType()),
          value,
          maxValues,
          returnType.getMethod() == null ? "a handler" : returnType.getMethod().getName());
    }
  }

  /** Calls a Kotlin {@code suspend} method; {@code args} leave out its continuation. */
  static Object invokeSuspending(Method method, Object bean, Object[] args) {
    return CoroutinesUtils.invokeSuspendingFunction(method, bean, args);
  }

  /**
   * Requests everything and keeps it, up to a limit: a request is answered once, with all of it.
   * Reactive Streams signals one at a time, so only {@link #result} is shared with other threads.
   */
  private static final class Collector implements Subscriber<Object> {

    private final boolean multi;
    private final int max;
    private final String description;
    private final List<Object> values = new ArrayList<>();
    private @Nullable Subscription subscription;
    final CompletableFuture<Object> result = new HandlerSignature.OwnedFuture<>();

    Collector(boolean multi, int max, String description) {
      this.multi = multi;
      this.max = max;
      this.description = description;
    }

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      // whoever ends the stage first (a cancel included) ends the subscription too
      result.whenComplete(
          (v, e) -> {
            if (e != null) {
              s.cancel();
            }
          });
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Object value) {
      if (result.isDone()) {
        return;
      }
      if (!multi) {
        if (values.isEmpty()) {
          values.add(value);
        }
        return;
      }
      if (values.size() >= max) {
        LOG.log(
            System.Logger.Level.WARNING,
            () ->
                description
                    + " published more than "
                    + max
                    + " values; its subscription is cancelled and the request answered not-ok."
                    + " Publish fewer, or raise "
                    + MAX_VALUES_PROPERTY);
        fail("answer too large: more than " + max + " values (" + MAX_VALUES_PROPERTY + ")");
        return;
      }
      values.add(value);
    }

    private void fail(String text) {
      values.clear();
      if (subscription != null) {
        subscription.cancel();
      }
      result.completeExceptionally(
          new RequestFailedException(0, text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void onError(Throwable t) {
      values.clear();
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      if (multi) {
        result.complete(List.copyOf(values));
      } else {
        result.complete(values.isEmpty() ? null : values.get(0));
      }
      values.clear();
    }
  }
}
