package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One {@link PacketHandler} method, ready to call: its bean bound into a handle of type {@code
 * (Object[])Object}, a resolver per parameter, a mapper for its result, its interceptors and its
 * exception handlers, all chosen at start-up so that a request costs an array, the resolvers and
 * one exact invocation.
 *
 * <p>The order of one call: each interceptor's {@code preHandle} (one that answers ends it there),
 * the arguments, the method, the answer; a failure of any of these, or of a stage the method
 * returned, goes to the exception handlers (the bean's, then the advice beans'), and one none
 * handles goes to the connection, which answers {@code exception during handler}. A failure of the
 * exception handler itself (it throws, or its stage fails) is not handled again, as in Spring MVC:
 * the failure it was handling goes to the connection, unless it threw a {@link
 * RequestFailedException}, which is its answer. A request that cannot be served as it is (a {@link
 * BadRequestException}: a payload the codec cannot read, one that fails validation, or one the
 * method refuses) goes to the exception handlers too; unless one answers it, it is answered not-ok
 * with its message. Either way it is logged at DEBUG and marked as a client error: the peer's
 * mistake, not the application's. Last, the interceptors' {@code afterCompletion}, in reverse.
 */
final class HandlerInvoker {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(HandlerInvoker.class);
  private static final Object[] NO_ARGS = new Object[0];

  private final String description;
  private final PacketHandlerMethod method;
  private final MethodHandle handle;
  private final ArgumentResolver[] resolvers;
  private final ResponseMapper mapper;
  private final ClientErrors clientErrors;
  private final PacketHandlerInterceptor[] interceptors;
  private final List<ExceptionHandlers> exceptionHandlers;

  /** Null when there is none: the call then costs no scope. */
  private final PacketHandlerObserver observer;

  HandlerInvoker(
      String description,
      PacketHandlerMethod method,
      MethodHandle handle,
      ArgumentResolver[] resolvers,
      ResponseMapper mapper,
      ClientErrors clientErrors,
      List<PacketHandlerInterceptor> interceptors,
      List<ExceptionHandlers> exceptionHandlers,
      PacketHandlerObserver observer) {
    this.observer = observer;
    this.description = description;
    this.method = method;
    this.handle = handle;
    this.resolvers = resolvers;
    this.mapper = mapper;
    this.clientErrors = clientErrors;
    this.interceptors = interceptors.toArray(new PacketHandlerInterceptor[0]);
    this.exceptionHandlers = List.copyOf(exceptionHandlers);
  }

  String description() {
    return description;
  }

  Reply invoke(Request request) throws Exception {
    PacketHandlerObserver o = observer;
    if (o == null) {
      return invokeInScope(request);
    }
    try (PacketHandlerObserver.Scope scope = o.open(request)) {
      return invokeInScope(request);
    }
  }

  private Reply invokeInScope(Request request) throws Exception {
    PacketHandlerInterceptor[] is = interceptors;
    int passed = 0;
    Object answer;
    try {
      Response early = null;
      while (passed < is.length && (early = is[passed].preHandle(request, method)) == null) {
        passed++;
      }
      answer = early != null ? early : call(request);
    } catch (Throwable t) {
      Object handled = handled(request, t, passed);
      if (handled instanceof CompletionStage<?> stage) {
        started(request, passed);
        CompletableFuture<Response> out = new CompletableFuture<>();
        settle(request, passed, stage, out);
        return Reply.later(out);
      }
      answer = handled;
    }
    if (answer instanceof Response r) {
      after(request, passed, r, null);
      return r;
    }
    if (answer instanceof CompletionStage<?> stage) {
      started(request, passed);
      return Reply.later(later(request, stage, passed));
    }
    // a core Reply for later: its answer is the core's business
    after(request, passed, null, null);
    return (Reply) answer;
  }

  private Object call(Request request) throws Throwable {
    ArgumentResolver[] rs = resolvers;
    Object[] args = rs.length == 0 ? NO_ARGS : new Object[rs.length];
    for (int i = 0; i < rs.length; i++) {
      args[i] = rs[i].resolve(request);
    }
    return mapper.map((Object) handle.invokeExact(args));
  }

  /**
   * The exception handlers' answer to {@code t}: a Response, a core Reply, or a stage of a Response
   * whose failure is final (the failure to report, never handled again). Rethrows the failure when
   * none answers, or when the one that does fails: see {@link ExceptionHandlers#outcome}.
   */
  private Object handled(Request request, Throwable t, int passed) throws Exception {
    Throwable failure = ExceptionHandlers.unwrap(t);
    if (failure instanceof BadRequestException bad) {
      clientError(request, bad);
    }
    if (!exceptionHandlers.isEmpty() && !(failure instanceof RequestFailedException)) {
      Throwable original = failure;
      Object answer = null;
      try {
        answer =
            ExceptionHandlers.answer(
                exceptionHandlers, new ExceptionHandlers.Call(request, method, original));
      } catch (ExceptionHandlers.Failed f) {
        failure = ExceptionHandlers.outcome(f, original, description);
      }
      if (answer instanceof CompletionStage<?> stage) {
        return stage.handle(
            (value, error) -> {
              if (error == null) {
                return (Response) value;
              }
              Throwable e = ExceptionHandlers.unwrap(error);
              throw new CompletionException(
                  e instanceof ExceptionHandlers.Failed f
                      ? ExceptionHandlers.outcome(f, original, description)
                      : e);
            });
      }
      if (answer != null) {
        return answer;
      }
    }
    if (failure instanceof BadRequestException bad) {
      return Response.failure(bad.getMessage());
    }
    if (observer != null) {
      observer.failed(request, failure);
    }
    afterFailure(request, passed, failure);
    if (failure instanceof Exception e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    throw new UndeclaredThrowableException(failure, description);
  }

  private CompletionStage<Response> later(Request request, CompletionStage<?> stage, int passed) {
    CompletableFuture<Response> out = HandlerSignature.cancelling(new CompletableFuture<>(), stage);
    stage.whenComplete(
        (value, error) -> inScope(request, () -> completed(request, passed, out, value, error)));
    return out;
  }

  /** Runs {@code part} of a request's call with its observation current, if it has one. */
  private void inScope(Request request, Runnable part) {
    if (observer == null) {
      part.run();
      return;
    }
    try (PacketHandlerObserver.Scope scope = observer.open(request)) {
      part.run();
    }
  }

  /** Answers {@code out} with what a stage the method returned completed with. */
  private void completed(
      Request request, int passed, CompletableFuture<Response> out, Object value, Throwable error) {
    if (endedFirst(request, passed, out, error)) {
      return;
    }
    if (error == null) {
      Response r = (Response) value;
      after(request, passed, r, null);
      out.complete(r);
      return;
    }
    Object answer;
    try {
      answer = handled(request, error, passed);
    } catch (Throwable t) {
      // afterCompletion already had it
      out.completeExceptionally(t);
      return;
    }
    if (answer instanceof Response r) {
      after(request, passed, r, null);
      out.complete(r);
    } else if (answer instanceof CompletionStage<?> next) {
      settle(request, passed, next, out);
    } else {
      IllegalStateException e =
          new IllegalStateException(
              "an exception handler answered a"
                  + " failed stage of "
                  + description
                  + " with a core Reply for later; return a"
                  + " Response or a CompletionStage of one");
      if (observer != null) {
        observer.failed(request, e);
      }
      after(request, passed, null, e);
      out.completeExceptionally(e);
    }
  }

  /**
   * Answers {@code out} with what an exception handler's stage, from {@link #handled}, completes
   * with: its failure is the one to report, as it is.
   */
  private void settle(
      Request request, int passed, CompletionStage<?> stage, CompletableFuture<Response> out) {
    HandlerSignature.cancelling(out, stage);
    stage.whenComplete(
        (value, error) -> inScope(request, () -> settled(request, passed, out, value, error)));
  }

  private void settled(
      Request request, int passed, CompletableFuture<Response> out, Object value, Throwable error) {
    if (endedFirst(request, passed, out, error)) {
      return;
    }
    if (error == null) {
      Response r = (Response) value;
      after(request, passed, r, null);
      out.complete(r);
      return;
    }
    Throwable failure = ExceptionHandlers.unwrap(error);
    if (failure instanceof BadRequestException bad) {
      // the exception handler failed on it: the bad request goes on unhandled, answered as such
      Response r = Response.failure(bad.getMessage());
      after(request, passed, r, null);
      out.complete(r);
      return;
    }
    if (observer != null) {
      observer.failed(request, failure);
    }
    afterFailure(request, passed, failure);
    out.completeExceptionally(failure);
  }

  /**
   * Whether the connection cancelled {@code out} before its stage completed (it ended): then no
   * exception handler runs and nothing is answered; the interceptors hear that the request failed.
   */
  private boolean endedFirst(
      Request request, int passed, CompletableFuture<Response> out, Throwable error) {
    if (!out.isCancelled()) {
      return false;
    }
    after(
        request,
        passed,
        null,
        error != null
            ? ExceptionHandlers.unwrap(error)
            : new CancellationException(description + ": its connection ended first"));
    return true;
  }

  /** The answer comes later: each interceptor that went on hears it on the method's thread. */
  private void started(Request request, int passed) {
    for (int i = passed - 1; i >= 0; i--) {
      PacketHandlerInterceptor interceptor = interceptors[i];
      try {
        interceptor.afterAsyncHandlingStarted(request, method);
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            () ->
                "interceptor "
                    + interceptor
                    + " threw in afterAsyncHandlingStarted for "
                    + description,
            e);
      }
    }
  }

  /**
   * The interceptors hear of a failure the connection answers: a {@link RequestFailedException} is
   * answered with its response, which they get as the answer; any other as {@code exception during
   * handler}, which they get as the failure.
   */
  private void afterFailure(Request request, int passed, Throwable failure) {
    if (failure instanceof RequestFailedException chosen) {
      after(request, passed, chosen.response(), null);
    } else {
      after(request, passed, null, failure);
    }
  }

  private void after(Request request, int passed, Response answer, Throwable failure) {
    for (int i = passed - 1; i >= 0; i--) {
      PacketHandlerInterceptor interceptor = interceptors[i];
      try {
        interceptor.afterCompletion(request, method, answer, failure);
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            () -> "interceptor " + interceptor + " threw in afterCompletion for " + description,
            e);
      }
    }
  }

  /**
   * Logs {@code e} at DEBUG and marks the request a client error, whether an exception handler
   * answers it or the peer gets its message.
   */
  private void clientError(Request request, BadRequestException e) {
    LOG.log(
        System.Logger.Level.DEBUG,
        () ->
            request.connection().name()
                + ": bad request "
                + request
                + " for "
                + description
                + ": "
                + e.getMessage(),
        e.getCause());
    clientErrors.mark(request.connection(), request.channel(), request.tag());
  }
}
