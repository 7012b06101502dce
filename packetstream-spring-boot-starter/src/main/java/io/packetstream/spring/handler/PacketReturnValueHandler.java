package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;

/**
 * Turns one kind of {@link PacketHandler} method result into the reply, as Spring MVC's
 * {@code HandlerMethodReturnValueHandler} does for controllers: define a bean to answer with a
 * type the starter does not map. The application's handlers are asked in their {@code @Order},
 * before the starter's own kinds (see {@link PacketHandler}); the first that supports a method's
 * return type answers for it.
 */
public interface PacketReturnValueHandler {

  /** Whether this handler answers for {@code returnType}; asked once per method, at start-up. */
  boolean supportsReturnType(MethodParameter returnType);

  /**
   * The reply to {@code returnValue}: a {@link io.packetstream.connection.Response} now, or
   * {@link Reply#later} for one that comes later. Called for every request, on the handler's
   * thread.
   */
  Reply handleReturnValue(@Nullable Object returnValue, MethodParameter returnType) throws Exception;
}
