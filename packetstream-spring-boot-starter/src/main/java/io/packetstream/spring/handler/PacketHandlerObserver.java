package io.packetstream.spring.handler;

import io.packetstream.connection.Request;

/**
 * Brackets every {@link PacketHandler} call on the thread that runs it, for instrumentation that
 * must be current inside the call: the starter's Observation support is one, making the request's
 * observation (and so its span, and what tracing puts in the MDC) current inside the method, its
 * interceptors and its exception handlers, and recording the failure of a request answered as a
 * server error. The starter uses every bean of this type, in their order; applications rarely need
 * one of their own ({@link PacketHandlerInterceptor} is for application work).
 */
public interface PacketHandlerObserver {

  /** What {@link #open} returns; closed on the thread that opened it. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {

    /** A scope that holds nothing. */
    Scope NONE = () -> {};

    @Override
    void close();
  }

  /**
   * Called on the handler's thread before the interceptors, and again on the thread that completes
   * an answer that comes later, before its exception handlers and {@code afterCompletion}; the
   * scope is closed on the same thread when that part is done. Must be fast and must not throw.
   */
  Scope open(Request request);

  /**
   * The request failed with {@code failure}, which no exception handler answered: the connection
   * answers it not-ok, as a server error (a request the peer got wrong, such as a payload that
   * cannot be read, is not reported here). Called inside an open scope; must not throw.
   */
  default void failed(Request request, Throwable failure) {}
}
