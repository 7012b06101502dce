package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Response;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;

/**
 * The starter's own kinds of {@link PacketHandler} results, as {@link PacketReturnValueHandler}s
 * asked after the application's, in the order of {@link HandlerSignature}'s list: nothing, flags,
 * bytes, text, a buffer, a {@link PacketReply}, a core reply, a {@link CompletionStage}, a reactive
 * type (in {@link ReactiveReturns}), a result declared {@code Object} (mapped by its class), and
 * last any other object, which the codec encodes. Each is chosen by the declared type, so that a
 * request costs one call.
 */
final class StandardReturns {

  private StandardReturns() {}

  /** A kind chosen by the declared (or, for a stage's value, the nested) type. */
  abstract static class ByType implements PacketReturnValueHandler {

    abstract boolean supports(Class<?> type);

    @Override
    public final boolean supportsReturnType(MethodParameter returnType) {
      return supports(returnType.getNestedParameterType());
    }
  }

  /** A kind whose values never complete later. */
  abstract static class Now extends ByType {}

  static final PacketReturnValueHandler NOTHING =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return type == void.class || type == Void.class;
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return Response.empty();
        }
      };

  static final PacketReturnValueHandler FLAGS =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return type == long.class
              || type == int.class
              || type == Long.class
              || type == Integer.class;
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return value == null ? Response.empty() : Response.ok(((Number) value).longValue());
        }
      };

  static final PacketReturnValueHandler BYTES =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return type == byte[].class;
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return value == null ? Response.empty() : Response.ok((byte[]) value);
        }
      };

  static final PacketReturnValueHandler TEXT =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return type == String.class;
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return value == null ? Response.empty() : Response.ok((String) value);
        }
      };

  static final PacketReturnValueHandler BUFFER =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return ByteBuffer.class.isAssignableFrom(type);
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return value == null ? Response.empty() : bytes((ByteBuffer) value);
        }
      };

  static final PacketReturnValueHandler PACKET_REPLY =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return type == PacketReply.class;
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return value == null ? Response.empty() : ok((PacketReply) value);
        }
      };

  /** A core {@link Reply}, passed on as it is: one for later is the core's to wait for. */
  static final PacketReturnValueHandler REPLY =
      new Now() {
        @Override
        boolean supports(Class<?> type) {
          return type == Reply.class || type == Response.class;
        }

        @Override
        public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
          return value == null ? Response.empty() : (Reply) value;
        }
      };

  /** A kind whose every value but null completes later. */
  abstract static class Later extends ByType {

    @Override
    public final Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
      // only null comes here: isAsyncReturnValue takes every other value
      return Response.empty();
    }

    @Override
    public final boolean isAsyncReturnValue(@Nullable Object value, MethodParameter returnType) {
      return value != null;
    }
  }

  /** A {@link CompletionStage}: answered with its value. */
  static final PacketReturnValueHandler STAGE =
      new Later() {
        @Override
        boolean supports(Class<?> type) {
          return CompletionStage.class.isAssignableFrom(type);
        }

        @Override
        public CompletionStage<?> toCompletionStage(Object value, MethodParameter returnType) {
          return (CompletionStage<?>) value;
        }
      };

  /** Any other type: the codec encodes it; the last kind, for every type nothing else took. */
  static PacketReturnValueHandler encoded(PayloadCodec codec) {
    return new Now() {
      @Override
      boolean supports(Class<?> type) {
        return true;
      }

      @Override
      public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
        return value == null ? Response.empty() : Response.ok(codec.encode(value));
      }
    };
  }

  /**
   * A result declared {@code Object} (or a Kotlin {@code suspend} function's), mapped by its class
   * at run time: a core reply passes, a stage or a reactive value is waited for, and the rest is
   * mapped as its class would be. {@code codec} may be null.
   */
  static final class Dynamic extends ByType implements ResponseMapper {

    private final @Nullable PayloadCodec codec;
    private final boolean reactive;

    private final int maxValues;

    Dynamic(@Nullable PayloadCodec codec, boolean reactive, int maxValues) {
      this.codec = codec;
      this.reactive = reactive;
      this.maxValues = maxValues;
    }

    @Override
    boolean supports(Class<?> type) {
      return type == Object.class;
    }

    @Override
    public Reply handleReturnValue(@Nullable Object value, MethodParameter returnType) {
      return value instanceof Reply r ? r : response(value);
    }

    @Override
    public boolean isAsyncReturnValue(@Nullable Object value, MethodParameter returnType) {
      return value instanceof CompletionStage
          || (reactive
              && value != null
              && !(value instanceof Reply)
              && ReactiveReturns.adapter(value.getClass()) != null);
    }

    @Override
    public CompletionStage<?> toCompletionStage(Object value, MethodParameter returnType) {
      return stage(value, "a handler");
    }

    /**
     * What {@code value}, which completes later, completes with: a reactive value's, collected as
     * {@link ReactiveReturns#collect} does, naming {@code description} when it publishes too much.
     */
    CompletionStage<?> stage(Object value, String description) {
      if (value instanceof CompletionStage<?> stage) {
        return stage;
      }
      return ReactiveReturns.collect(
          ReactiveReturns.adapter(value.getClass()), value, maxValues, description);
    }

    @Override
    public Object map(@Nullable Object value) {
      return response(value);
    }

    /** The response to a value that is not a stage, by its class. */
    Response response(@Nullable Object value) {
      return StandardReturns.response(value, codec);
    }
  }

  /**
   * The ok response to {@code value}, by its class: what a handler declared {@code Object} answers,
   * and (turned not-ok) what an exception handler answers. {@code codec} may be null.
   */
  static Response response(@Nullable Object value, @Nullable PayloadCodec codec) {
    if (value == null) {
      return Response.empty();
    }
    if (value instanceof Response r) {
      return r;
    }
    if (value instanceof Reply) {
      throw new IllegalStateException(
          "a stage completed with a Reply for later; complete it with a Response instead");
    }
    if (value instanceof byte[] b) {
      return Response.ok(b);
    }
    if (value instanceof String s) {
      return Response.ok(s);
    }
    if (value instanceof PacketReply p) {
      return ok(p);
    }
    if (value instanceof ByteBuffer buffer) {
      return bytes(buffer);
    }
    if (value instanceof Long || value instanceof Integer) {
      return Response.ok(((Number) value).longValue());
    }
    String refused = PayloadTypes.refused(value.getClass());
    if (refused != null
        || HandlerSignature.isReactive(value.getClass())
        || value instanceof Future) {
      throw new IllegalStateException(
          "cannot answer with a "
              + value.getClass().getName()
              + (refused != null ? ", which " + refused : ": declare the method's return type"));
    }
    if (codec == null) {
      throw new IllegalStateException(
          "cannot encode a " + value.getClass().getName() + " without a PayloadCodec bean");
    }
    return Response.ok(codec.encode(value));
  }

  private static Response bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return Response.ok(bytes);
  }

  private static Response ok(PacketReply p) {
    return Response.ok(p.flags(), p.payload());
  }
}
