package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;

/**
 * Turns one kind of {@link PacketHandler} method result into the reply, as Spring MVC's {@code
 * HandlerMethodReturnValueHandler} does for controllers: define a bean to answer with a type the
 * starter does not map. The application's handlers are asked in their {@code @Order}, before the
 * starter's own kinds (see {@link PacketHandler}), which are handlers of this type too; the first
 * that supports a method's return type answers for it, chosen once at start-up.
 *
 * <p>A kind that completes later (a future, a {@code Mono}) says so per value with {@link
 * #isAsyncReturnValue}, as Spring Messaging's {@code AsyncHandlerMethodReturnValueHandler} does:
 * the starter then waits for {@link #toCompletionStage}, and answers with the value it completes
 * with as if the method had returned it, declared as the return type's first type argument (a
 * {@code CompletionStage<Order>}'s value as an {@code Order}: the handlers are asked again with the
 * {@linkplain MethodParameter#nested() nested} return type, so read {@link
 * MethodParameter#getNestedParameterType()}). A stage that fails goes to the {@link
 * PacketExceptionHandler} methods, as a thrown exception does.
 */
public interface PacketReturnValueHandler {

  /** Whether this handler answers for {@code returnType}; asked once per method, at start-up. */
  boolean supportsReturnType(MethodParameter returnType);

  /**
   * The reply to {@code returnValue}: a {@link io.packetstream.connection.Response} now, or {@link
   * Reply#later} for one that comes later (which the starter passes to the connection as it is).
   * Called for every request, on the handler's thread.
   */
  Reply handleReturnValue(@Nullable Object returnValue, MethodParameter returnType)
      throws Exception;

  /**
   * Whether {@code returnValue} completes later; then {@link #toCompletionStage} is called instead
   * of {@link #handleReturnValue}. Called for every request; by default false.
   */
  default boolean isAsyncReturnValue(@Nullable Object returnValue, MethodParameter returnType) {
    return false;
  }

  /**
   * The stage that completes with the value to answer with, for a {@code returnValue} that {@link
   * #isAsyncReturnValue} said completes later.
   */
  default CompletionStage<?> toCompletionStage(Object returnValue, MethodParameter returnType)
      throws Exception {
    throw new UnsupportedOperationException(getClass().getName() + " has no asynchronous values");
  }
}
