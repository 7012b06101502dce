package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.UndeclaredThrowableException;

/**
 * One {@link PacketHandler} method, ready to call: its bean bound into a handle of type
 * {@code (Object[])Object}, a resolver per parameter and a mapper for its result, all chosen at
 * start-up so that a request costs an array, the resolvers and one exact invocation.
 */
final class HandlerInvoker {

  private static final Object[] NO_ARGS = new Object[0];

  private final String description;
  private final MethodHandle handle;
  private final ArgumentResolver[] resolvers;
  private final ResponseMapper mapper;

  HandlerInvoker(String description, MethodHandle handle, ArgumentResolver[] resolvers,
      ResponseMapper mapper) {
    this.description = description;
    this.handle = handle;
    this.resolvers = resolvers;
    this.mapper = mapper;
  }

  String description() {
    return description;
  }

  Reply invoke(Request request) throws Exception {
    ArgumentResolver[] rs = resolvers;
    Object[] args = rs.length == 0 ? NO_ARGS : new Object[rs.length];
    for (int i = 0; i < rs.length; i++) {
      args[i] = rs[i].resolve(request);
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
}
