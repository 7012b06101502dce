package io.packetstream.spring.handler;

import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import org.jspecify.annotations.Nullable;

/**
 * Runs around every {@link PacketHandler} method call, as Spring MVC's {@code HandlerInterceptor}
 * does around controllers: authentication, MDC, auditing. Define beans of this type; they run in
 * their {@code @Order}, {@link #preHandle} first to last and {@link #afterCompletion} last to
 * first, on every connection the starter opens.
 *
 * <pre>{@code
 * @Bean
 * PacketHandlerInterceptor tokens() {
 *   return new PacketHandlerInterceptor() {
 *     public Response preHandle(Request rq, PacketHandlerMethod handler) {
 *       return rq.flags() == SECRET ? null : Response.failure("not authorised");
 *     }
 *   };
 * }
 * }</pre>
 */
public interface PacketHandlerInterceptor {

  /**
   * Called before the method, on its thread. Returns null to go on, or the answer to send instead
   * of calling the method (and the interceptors after this one). An exception fails the request as
   * one thrown by the handler would.
   */
  default @Nullable Response preHandle(Request request, PacketHandlerMethod handler)
      throws Exception {
    return null;
  }

  /**
   * Called on the method's thread when its answer comes later (it returned a future or a {@code
   * Mono}, or is a Kotlin suspend function, or an exception handler answers later), for every
   * interceptor whose {@link #preHandle} went on, before {@link #afterCompletion}, which then runs
   * on the thread that completes the answer: the place to clear what {@code preHandle} bound to the
   * thread (an MDC entry), or it stays on a pooled thread for the requests it runs next. As Spring
   * MVC's {@code AsyncHandlerInterceptor.afterConcurrentHandlingStarted}. Must not throw: an
   * exception is logged and dropped.
   */
  default void afterAsyncHandlingStarted(Request request, PacketHandlerMethod handler) {}

  /**
   * Called once the answer is known, exception handlers included, for every interceptor whose
   * {@link #preHandle} went on: with the answer, or with the failure that the connection answers as
   * {@code exception during handler}; for an answer that comes later, on the thread that completes
   * it. Both are null only when the method returned a core {@link io.packetstream.connection.Reply}
   * for later, whose answer the starter does not see. Must not throw: an exception is logged and
   * dropped.
   */
  default void afterCompletion(
      Request request,
      PacketHandlerMethod handler,
      @Nullable Response answer,
      @Nullable Throwable failure) {}
}
