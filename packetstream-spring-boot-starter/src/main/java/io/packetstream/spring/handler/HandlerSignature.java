package io.packetstream.spring.handler;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.springframework.core.ResolvableType;

/**
 * Chooses, once per method, how each parameter is filled and how the result becomes a reply;
 * records a problem for anything it cannot serve instead of failing at the first request.
 */
final class HandlerSignature {

  private final PayloadCodec codec;

  /** {@code codec} may be null: then only bytes, text and flags are served. */
  HandlerSignature(PayloadCodec codec) {
    this.codec = codec;
  }

  ArgumentResolver[] resolvers(Method method, String description, List<String> problems) {
    Parameter[] params = method.getParameters();
    Type[] generic = method.getGenericParameterTypes();
    ArgumentResolver[] resolvers = new ArgumentResolver[params.length];
    int payloadParams = 0;
    for (int i = 0; i < params.length; i++) {
      Class<?> type = params[i].getType();
      boolean flags = params[i].isAnnotationPresent(PacketFlags.class);
      ArgumentResolver r;
      boolean payload = false;
      if (flags) {
        if (type == long.class || type == Long.class) {
          r = Request::flags;
        } else if (type == int.class || type == Integer.class) {
          r = rq -> Math.toIntExact(rq.flags());
        } else {
          problems.add(description + ": @PacketFlags parameter " + i + " must be int or long, not "
              + type.getSimpleName());
          continue;
        }
      } else if (type == byte[].class) {
        r = Request::payload;
        payload = true;
      } else if (type == ByteBuffer.class) {
        r = rq -> ByteBuffer.wrap(rq.payload()).asReadOnlyBuffer();
        payload = true;
      } else if (type == String.class) {
        r = Request::text;
        payload = true;
      } else if (type == RequestContext.class) {
        r = RequestContext::of;
      } else if (type == Request.class) {
        r = rq -> rq;
      } else if (type == PacketConnection.class) {
        r = Request::connection;
      } else if (type.isPrimitive() || type == Long.class || type == Integer.class) {
        problems.add(description + ": parameter " + i + " (" + type.getSimpleName()
            + ") cannot be resolved; annotate it @PacketFlags to receive the request flags");
        continue;
      } else if (codec == null) {
        problems.add(description + ": parameter " + i + " (" + type.getSimpleName()
            + ") needs a PayloadCodec bean to decode the payload, and there is none"
            + " (add Jackson to the class path or define a PayloadCodec)");
        continue;
      } else {
        PayloadCodec c = codec;
        Type target = generic[i];
        r = rq -> c.decode(rq.payload(), target);
        payload = true;
      }
      if (payload && ++payloadParams > 1) {
        problems.add(description + ": more than one parameter takes the payload");
      }
      resolvers[i] = r;
    }
    return resolvers;
  }

  ResponseMapper mapper(Method method, String description, List<String> problems) {
    ResolvableType returned = ResolvableType.forMethodReturnType(method);
    Class<?> type = returned.toClass();
    if (CompletionStage.class.isAssignableFrom(type)) {
      ResolvableType inner = returned.as(CompletionStage.class).getGeneric(0);
      Class<?> innerType = inner.resolve(Object.class);
      if (CompletionStage.class.isAssignableFrom(innerType)) {
        problems.add(description + ": a stage of a stage cannot be served");
        return null;
      }
      if (Reply.class.isAssignableFrom(innerType) && innerType != Response.class) {
        // a Reply may itself be one for later, which only the core can wait for
        problems.add(description + ": a stage of a Reply cannot be served; return a"
            + " CompletionStage<Response>, or the Reply itself (Reply.later(stage) for a later one)");
        return null;
      }
      ResponseMapper now = plain(innerType, description, problems);
      if (now == null) {
        return null;
      }
      return result -> {
        if (result == null) {
          return Response.empty();
        }
        CompletionStage<Response> later = ((CompletionStage<?>) result).thenApply(v -> (Response) now.map(v));
        return Reply.later(later);
      };
    }
    if (type == Reply.class) {
      return result -> result == null ? Response.empty() : (Reply) result;
    }
    if (type == Object.class) {
      // an Object may be a Reply for later, which the core waits for
      return result -> result instanceof Reply r ? r : dynamic(result);
    }
    return plain(type, description, problems);
  }

  /** A mapper for a type that is not a stage; its replies are always {@link Response}s. */
  private ResponseMapper plain(Class<?> type, String description, List<String> problems) {
    if (type == void.class || type == Void.class) {
      return result -> Response.empty();
    }
    if (type == long.class || type == int.class || type == Long.class || type == Integer.class) {
      return result -> result == null ? Response.empty() : Response.ok(((Number) result).longValue());
    }
    if (type == byte[].class) {
      return result -> result == null ? Response.empty() : Response.ok((byte[]) result);
    }
    if (type == String.class) {
      return result -> result == null ? Response.empty() : Response.ok((String) result);
    }
    if (ByteBuffer.class.isAssignableFrom(type) || type == PacketReply.class
        || type == Response.class || type == Object.class) {
      return this::dynamic;
    }
    if (type.isPrimitive()) {
      problems.add(description + ": cannot answer with a " + type + "; return int or long flags");
      return null;
    }
    if (codec == null) {
      problems.add(description + ": returns " + type.getSimpleName()
          + ", which needs a PayloadCodec bean to encode it, and there is none"
          + " (add Jackson to the class path or define a PayloadCodec)");
      return null;
    }
    PayloadCodec c = codec;
    return result -> result == null ? Response.empty() : Response.ok(c.encode(result));
  }

  /** Maps by the result's class, for results declared as Object or as a general type. */
  private Response dynamic(Object result) {
    if (result == null) {
      return Response.empty();
    }
    if (result instanceof Response r) {
      return r;
    }
    if (result instanceof Reply) {
      throw new IllegalStateException("a stage completed with a Reply for later; complete it"
          + " with a Response instead");
    }
    if (result instanceof byte[] b) {
      return Response.ok(b);
    }
    if (result instanceof String s) {
      return Response.ok(s);
    }
    if (result instanceof PacketReply p) {
      return Response.ok(p.flags(), p.payload());
    }
    if (result instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return Response.ok(bytes);
    }
    if (result instanceof Long || result instanceof Integer) {
      return Response.ok(((Number) result).longValue());
    }
    if (codec == null) {
      throw new IllegalStateException("cannot encode a " + result.getClass().getName()
          + " without a PayloadCodec bean");
    }
    return Response.ok(codec.encode(result));
  }
}
