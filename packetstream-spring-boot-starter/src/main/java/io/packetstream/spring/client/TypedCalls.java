package io.packetstream.spring.client;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.Durations;
import io.packetstream.spring.handler.PacketReply;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.spring.handler.PayloadTypes;
import io.packetstream.spring.handler.RequestContext;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;

/**
 * The typed side of a call, shared by {@link PacketStreamClient} and the exchange proxies: objects
 * become payloads as a handler's results do, answers become objects as a handler's parameters are
 * read, and the byte-level submit in between is the caller's.
 */
final class TypedCalls {

  /** A byte-level submit: a client's or a connection's. */
  @FunctionalInterface
  interface Submitter {

    /** Sends a request; {@link Duration#ZERO} leaves the timeout to the target's default. */
    CompletableFuture<Response> submit(
        long channel, long rqType, long flags, byte[] payload, Duration timeout);

    /**
     * The timeout a request given {@code timeout} waits for, as far as this submitter knows it
     * ({@link Duration#ZERO}: the connection's {@code request-timeout}); for messages.
     */
    default Duration timeout(Duration timeout) {
      return timeout;
    }
  }

  /** Maps an answer to a value; {@link #raw} readers take not-ok answers too. */
  interface AnswerReader {

    /** The value of {@code answer}. */
    @Nullable Object read(Response answer) throws Exception;

    /** Whether not-ok answers are the caller's to read, instead of a failure. */
    default boolean raw() {
      return false;
    }
  }

  private static final byte[] EMPTY = new byte[0];

  private final @Nullable PayloadCodec codec;

  TypedCalls(@Nullable PayloadCodec codec) {
    this.codec = codec;
  }

  @Nullable PayloadCodec codec() {
    return codec;
  }

  /** Why a payload of {@code type} cannot be sent, or null when it can. */
  @Nullable String payloadProblem(Class<?> type) {
    if (type.isPrimitive() || type == Long.class || type == Integer.class) {
      return "is a number: annotate it @PacketFlags to send it as the request flags";
    }
    if (type == Request.class || type == RequestContext.class || type == PacketConnection.class) {
      return "is only for handlers, which receive it";
    }
    if (CompletionStage.class.isAssignableFrom(type) || Future.class.isAssignableFrom(type)) {
      return "is asynchronous, but a payload leaves whole: pass the value itself";
    }
    String refused = refused(type);
    if (refused != null) {
      return refused;
    }
    if (!isRaw(type) && codec == null) {
      return "needs a PayloadCodec bean to encode it, and there is none (add Jackson to the"
          + " class path or define a PayloadCodec)";
    }
    return null;
  }

  /** Whether values of {@code type} are sent and read as they are, without the codec. */
  static boolean isRaw(Class<?> type) {
    return type == byte[].class || type == String.class || ByteBuffer.class.isAssignableFrom(type);
  }

  /** {@code payload} as bytes: raw types as they are, null empty, the rest through the codec. */
  byte[] encode(@Nullable Object payload) {
    if (payload == null) {
      return EMPTY;
    }
    if (payload instanceof byte[] b) {
      return b;
    }
    if (payload instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (payload instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
    String problem = payloadProblem(payload.getClass());
    if (problem != null) {
      throw new IllegalArgumentException(
          "a " + payload.getClass().getName() + " cannot be a payload: it " + problem);
    }
    try {
      return codec.encode(payload);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot encode a "
              + payload.getClass().getName()
              + " as a payload: "
              + PayloadTypes.firstLine(e.getMessage()),
          e);
    }
  }

  /** Why an answer cannot be read as {@code type}, or null when it can. */
  @Nullable String resultProblem(ResolvableType type) {
    Class<?> c = type.toClass();
    if (c == void.class
        || c == Void.class
        || c == Response.class
        || c == PacketReply.class
        || c == long.class
        || c == Long.class
        || c == int.class
        || c == Integer.class
        || isRaw(c)) {
      return null;
    }
    if (c.isPrimitive()) {
      return "is a " + c + ": read the answer's flags as long or int";
    }
    if (c == Object.class) {
      return "is Object: declare the type to decode the answer into";
    }
    if (CompletionStage.class.isAssignableFrom(c) || Future.class.isAssignableFrom(c)) {
      return "is a future inside a future: declare the value";
    }
    String refused = refused(c);
    if (refused != null) {
      return refused;
    }
    if (codec == null) {
      return "needs a PayloadCodec bean to decode the answer, and there is none (add Jackson to"
          + " the class path or define a PayloadCodec)";
    }
    return null;
  }

  /** The reader of answers as {@code type}, which {@link #resultProblem} accepts. */
  AnswerReader reader(ResolvableType type) {
    Class<?> c = type.toClass();
    if (c == Response.class) {
      return new AnswerReader() {
        @Override
        public Object read(Response answer) {
          return answer;
        }

        @Override
        public boolean raw() {
          return true;
        }
      };
    }
    if (c == void.class || c == Void.class) {
      return answer -> null;
    }
    if (c == byte[].class) {
      return Response::payload;
    }
    if (c == String.class) {
      return Response::text;
    }
    if (ByteBuffer.class.isAssignableFrom(c)) {
      return answer -> ByteBuffer.wrap(answer.payload()).asReadOnlyBuffer();
    }
    if (c == long.class || c == Long.class) {
      return Response::flags;
    }
    if (c == int.class || c == Integer.class) {
      return answer -> Math.toIntExact(answer.flags());
    }
    if (c == PacketReply.class) {
      return answer -> new PacketReply(answer.flags(), answer.payload());
    }
    PayloadCodec decoder = codec;
    Type target = concrete(type);
    String name = c.getSimpleName();
    return answer -> {
      if (answer.payload().length == 0) {
        return null;
      }
      try {
        return decoder.decode(answer.payload(), target);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "cannot read the answer as " + name + ": " + PayloadTypes.firstLine(e.getMessage()), e);
      }
    };
  }

  /**
   * Sends through {@code submitter} and maps the answer with {@code reader}: a not-ok answer fails
   * the future with a {@link PacketRequestFailedException} (unless the reader is raw), no answer in
   * time with a {@link TimeoutException} naming {@code target}, the channel, the type and the
   * timeout, a reader's exception with that exception. Cancelling the future cancels the request.
   */
  CompletableFuture<Object> submit(
      Submitter submitter,
      String target,
      long channel,
      long rqType,
      long flags,
      byte[] payload,
      AnswerReader reader,
      Duration timeout) {
    CompletableFuture<Response> sent = submitter.submit(channel, rqType, flags, payload, timeout);
    CompletableFuture<Object> result = new CompletableFuture<>();
    sent.whenComplete(
        (answer, error) -> {
          if (error != null) {
            Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            if (cause instanceof TimeoutException t) {
              cause = timedOut(target, channel, rqType, submitter.timeout(timeout), t);
            }
            result.completeExceptionally(cause);
          } else if (answer == null) {
            result.completeExceptionally(
                new ConnectionClosedException(target + ": the request was abandoned"));
          } else if (!answer.ok() && !reader.raw()) {
            result.completeExceptionally(
                new PacketRequestFailedException(target, channel, rqType, answer, codec));
          } else {
            try {
              result.complete(reader.read(answer));
            } catch (Exception e) {
              result.completeExceptionally(e);
            }
          }
        });
    result.whenComplete(
        (value, error) -> {
          if (result.isCancelled()) {
            sent.cancel(false);
          }
        });
    return result;
  }

  /**
   * The failure of a request that got no answer in time, saying which and how long it waited in the
   * client's terms (its name, Spring's duration style, the property when the default applied)
   * rather than the core's (the connection's name, milliseconds).
   */
  static TimeoutException timedOut(
      String target, long channel, long rqType, Duration timeout, TimeoutException cause) {
    TimeoutException e =
        new TimeoutException(
            target
                + ": no answer to request type "
                + rqType
                + " on channel "
                + channel
                + " within "
                + (timeout.isZero()
                    ? "the connection's request timeout (packetstream.request-timeout)"
                    : Durations.format(timeout)));
    e.initCause(cause);
    return e;
  }

  /**
   * {@code type} with its generics resolved, as a codec needs it: a type seen through a supertype
   * ({@code CompletionStage<T>}'s {@code T}) is otherwise still the variable.
   */
  static Type concrete(ResolvableType type) {
    Class<?> raw = type.toClass();
    if (!type.hasGenerics()) {
      return raw;
    }
    ResolvableType[] generics = type.getGenerics();
    Type[] arguments = new Type[generics.length];
    for (int i = 0; i < generics.length; i++) {
      arguments[i] = concrete(generics[i]);
    }
    return new Parameterized(raw, arguments);
  }

  /** A parameterized type made of resolved parts. */
  private record Parameterized(Class<?> raw, Type[] arguments) implements ParameterizedType {

    @Override
    public Type[] getActualTypeArguments() {
      return arguments.clone();
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public @Nullable Type getOwnerType() {
      return raw.getDeclaringClass();
    }

    @Override
    public String getTypeName() {
      return raw.getTypeName()
          + Arrays.stream(arguments)
              .map(Type::getTypeName)
              .collect(Collectors.joining(", ", "<", ">"));
    }
  }

  /** Why {@code type} can be neither sent nor read faithfully, or null. */
  private static @Nullable String refused(Class<?> type) {
    String refused = PayloadTypes.refused(type);
    if (refused != null) {
      return refused;
    }
    if (type.getName().startsWith("reactor.core.publisher.")
        || type.getName().equals("org.reactivestreams.Publisher")
        || type.getName().startsWith("kotlinx.coroutines.flow.")
        || type.getName().equals("kotlinx.coroutines.Deferred")
        || type.getName().equals("kotlin.coroutines.Continuation")) {
      return "is not data that a codec can carry (for later answers, return a CompletableFuture,"
          + " or declare a Kotlin suspend function that returns the answer itself)";
    }
    return null;
  }
}
