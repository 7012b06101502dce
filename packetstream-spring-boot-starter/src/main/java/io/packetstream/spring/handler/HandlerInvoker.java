package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.UndeclaredThrowableException;

/**
 * One {@link PacketHandler} method, ready to call: its bean bound into a handle of type
 * {@code (Object[])Object}, a resolver per parameter and a mapper for its result, all chosen at
 * start-up so that a request costs an array, the resolvers and one exact invocation.
 *
 * <p>A request that cannot be served as it is (a {@link BadRequestException} from a resolver) is
 * answered not-ok with the reason, logged at DEBUG and marked as a client error: the peer's
 * mistake, not the application's.
 */
final class HandlerInvoker {

  private static final System.Logger LOG = System.getLogger(HandlerInvoker.class.getName());
  private static final Object[] NO_ARGS = new Object[0];

  private final String description;
  private final MethodHandle handle;
  private final ArgumentResolver[] resolvers;
  private final ResponseMapper mapper;
  private final ClientErrors clientErrors;

  HandlerInvoker(String description, MethodHandle handle, ArgumentResolver[] resolvers,
      ResponseMapper mapper, ClientErrors clientErrors) {
    this.description = description;
    this.handle = handle;
    this.resolvers = resolvers;
    this.mapper = mapper;
    this.clientErrors = clientErrors;
  }

  String description() {
    return description;
  }

  Reply invoke(Request request) throws Exception {
    ArgumentResolver[] rs = resolvers;
    Object[] args = rs.length == 0 ? NO_ARGS : new Object[rs.length];
    try {
      for (int i = 0; i < rs.length; i++) {
        args[i] = rs[i].resolve(request);
      }
    } catch (BadRequestException e) {
      return badRequest(request, e);
    }
    Object result;
    try {
      result = (Object) handle.invokeExact(args);
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t, description);
    }
    return mapper.map(result);
  }

  private Response badRequest(Request request, BadRequestException e) {
    LOG.log(System.Logger.Level.DEBUG, () -> request.connection().name() + ": bad request "
        + request + " for " + description + ": " + e.getMessage(), e.getCause());
    clientErrors.mark(request.connection(), request.channel(), request.tag());
    return Response.failure(e.getMessage());
  }
}
