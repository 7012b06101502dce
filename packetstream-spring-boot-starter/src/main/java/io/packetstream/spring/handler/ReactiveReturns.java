package io.packetstream.spring.handler;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

  private ReactiveReturns() {}

  /** The registry's adapter for {@code type}, or null when it has none. */
  static ReactiveAdapter adapter(Class<?> type) {
    return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
  }

  /**
   * The one value {@code source} publishes (null when it completes empty), or every value as a list
   * when the adapter is for a multi-value type.
   */
  static CompletableFuture<Object> collect(ReactiveAdapter adapter, Object source) {
    Publisher<Object> publisher = adapter.toPublisher(source);
    Collector collector = new Collector(adapter.isMultiValue());
    publisher.subscribe(collector);
    return collector.result;
  }

  /**
   * The kind of result for a type Spring's {@link ReactiveAdapterRegistry} adapts ({@code Mono},
   * {@code Flux}, RxJava...): waited for without blocking; a multi-value type's values come as a
   * list. The adapter is the declared type's, whatever the value's class: {@link HandlerSignature}
   * binds it once per method.
   */
  static final PacketReturnValueHandler HANDLER =
      new StandardReturns.Later() {
        @Override
        boolean supports(Class<?> type) {
          return adapter(type) != null;
        }

        @Override
        public CompletionStage<?> toCompletionStage(Object value, MethodParameter returnType) {
          return collect(adapter(returnType.getNestedParameterType()), value);
        }
      };

  /** Calls a Kotlin {@code suspend} method; {@code args} leave out its continuation. */
  static Object invokeSuspending(Method method, Object bean, Object[] args) {
    return CoroutinesUtils.invokeSuspendingFunction(method, bean, args);
  }

  /** Requests everything and keeps it: a request is answered once, with all of it. */
  private static final class Collector implements Subscriber<Object> {

    private final boolean multi;
    private final List<Object> values = new ArrayList<>();
    final CompletableFuture<Object> result = new CompletableFuture<>();

    Collector(boolean multi) {
      this.multi = multi;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Object value) {
      values.add(value);
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      if (multi) {
        result.complete(List.copyOf(values));
      } else {
        result.complete(values.isEmpty() ? null : values.get(0));
      }
    }
  }
}
