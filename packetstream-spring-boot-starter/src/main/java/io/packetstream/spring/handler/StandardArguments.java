package io.packetstream.spring.handler;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import org.springframework.core.GenericTypeResolver;
import org.springframework.core.MethodParameter;

/**
 * The starter's own kinds of {@link PacketHandler} parameters, as {@link PacketArgumentResolver}s
 * asked after the application's: the request flags, the context, the core request and connection,
 * and the payload as bytes, a buffer, text or (last) an object the codec decodes and, when the
 * parameter asks, {@link PayloadValidation} checks (as it checks the other payload kinds).
 */
final class StandardArguments {

  private StandardArguments() {}

  /** A resolver that takes the payload: a method may have one at most. */
  interface PayloadResolver extends PacketArgumentResolver {}

  /** A resolver that needs no parameter to fill it: called straight, without binding one. */
  interface Bound extends ArgumentResolver, PacketArgumentResolver {
    @Override
    default Object resolveArgument(MethodParameter parameter, Request request) throws Exception {
      return resolve(request);
    }
  }

  private abstract static class ByType implements Bound {
    private final Class<?> type;

    ByType(Class<?> type) {
      this.type = type;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
      return parameter.getParameterType() == type
          && !parameter.hasParameterAnnotation(PacketFlags.class);
    }
  }

  static final PacketArgumentResolver FLAGS =
      new PacketArgumentResolver() {
        @Override
        public boolean supportsParameter(MethodParameter parameter) {
          Class<?> t = parameter.getParameterType();
          return parameter.hasParameterAnnotation(PacketFlags.class)
              && (t == long.class || t == Long.class || t == int.class || t == Integer.class);
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, Request request) {
          Class<?> t = parameter.getParameterType();
          long flags = request.flags();
          if (t == long.class || t == Long.class) {
            return flags;
          }
          if (flags != (int) flags) {
            // the peer's flags, not the handler, are at fault: a client error, not a server one
            throw new BadRequestException(
                "flags "
                    + flags
                    + " do not fit the int parameter of "
                    + parameter.getDeclaringClass().getSimpleName()
                    + "."
                    + parameter.getExecutable().getName()
                    + ": declare it long",
                null);
          }
          return (int) flags;
        }
      };

  static final PacketArgumentResolver CONTEXT =
      new ByType(RequestContext.class) {
        @Override
        public Object resolve(Request request) {
          return RequestContext.of(request);
        }
      };

  static final PacketArgumentResolver REQUEST =
      new ByType(Request.class) {
        @Override
        public Object resolve(Request request) {
          return request;
        }
      };

  static final PacketArgumentResolver CONNECTION =
      new ByType(PacketConnection.class) {
        @Override
        public Object resolve(Request request) {
          return request.connection();
        }
      };

  private abstract static class PayloadByType extends ByType implements PayloadResolver {
    PayloadByType(Class<?> type) {
      super(type);
    }
  }

  static final PacketArgumentResolver BYTES =
      new PayloadByType(byte[].class) {
        @Override
        public Object resolve(Request request) {
          return request.payload();
        }
      };

  static final PacketArgumentResolver BUFFER =
      new PayloadByType(ByteBuffer.class) {
        @Override
        public Object resolve(Request request) {
          return ByteBuffer.wrap(request.payload()).asReadOnlyBuffer();
        }
      };

  static final PacketArgumentResolver TEXT =
      new PayloadByType(String.class) {
        @Override
        public Object resolve(Request request) {
          return request.text();
        }
      };

  /** The resolvers above, in the order they are asked. */
  static final List<PacketArgumentResolver> SIMPLE =
      List.of(FLAGS, CONTEXT, REQUEST, CONNECTION, BYTES, BUFFER, TEXT);

  /** The resolvers asked for a {@link Payload} parameter, before the codec. */
  static final List<PacketArgumentResolver> PAYLOADS = List.of(BYTES, BUFFER, TEXT);

  /**
   * The type the payload of {@code parameter} is decoded as: its declared type, with the type
   * variables of a generic class resolved against the parameter's containing class (the bean's).
   */
  static Type payloadType(MethodParameter parameter) {
    return GenericTypeResolver.resolveType(
        parameter.getGenericParameterType(), parameter.getContainingClass());
  }

  /**
   * An object decoded from the payload by {@code codec}; a payload that cannot be read is the
   * peer's mistake, a {@link BadRequestException} naming the type. A payload that decodes to null
   * (JSON {@code null}) is one too, unless the parameter may be null ({@code @Nullable}, as
   * Spring's {@link MethodParameter#isOptional()} tells): a handler is never called with a null it
   * did not declare, as Spring MVC refuses a missing {@code @RequestBody} unless it is not
   * required.
   */
  static PayloadResolver decoded(MethodParameter parameter, PayloadCodec codec) {
    Type target = payloadType(parameter);
    String name = parameter.getParameterType().getSimpleName();
    boolean nullable = parameter.isOptional();
    return new Decoded() {
      @Override
      public boolean supportsParameter(MethodParameter p) {
        return p.equals(parameter);
      }

      @Override
      public Object resolve(Request request) {
        Object value;
        try {
          value = codec.decode(request.payload(), target);
        } catch (RuntimeException e) {
          throw new BadRequestException(
              "cannot read the payload as " + name + ": " + PayloadTypes.firstLine(e.getMessage()),
              e);
        }
        if (value == null) {
          if (nullable) {
            return null;
          }
          throw new BadRequestException("invalid " + name + ": the payload is null", null);
        }
        return value;
      }
    };
  }

  private interface Decoded extends PayloadResolver, Bound {}
}
