package io.packetstream.spring.handler;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.lang.reflect.Method;
import java.lang.reflect.WildcardType;
import java.nio.channels.Channel;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.BaseStream;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;

/**
 * The rules the starter's handlers and clients share about what a payload can be, and how a codec's
 * complaint is shown to a peer or a caller: said once here so that both ends refuse and report
 * alike.
 */
public final class PayloadTypes {

  private PayloadTypes() {}

  /**
   * Whether {@code method} is a Kotlin {@code suspend} function: what the compiler makes of {@code
   * suspend fun f(a: A): T} is {@code Object f(A, Continuation<? super T>)}.
   */
  public static boolean isSuspending(Method method) {
    Class<?>[] types = method.getParameterTypes();
    return types.length > 0
        && types[types.length - 1].getName().equals("kotlin.coroutines.Continuation");
  }

  /**
   * What the suspend function {@code method}, seen on {@code owner}, returns: its continuation's
   * type argument, the {@code T} of {@code Continuation<? super T>}.
   */
  public static ResolvableType suspendResult(Method method, Class<?> owner) {
    ResolvableType argument =
        ResolvableType.forMethodParameter(method, method.getParameterCount() - 1, owner)
            .getGeneric(0);
    if (argument.getType() instanceof WildcardType w && w.getLowerBounds().length == 1) {
      return ResolvableType.forType(w.getLowerBounds()[0], argument);
    }
    return argument;
  }

  /** Whether {@code type} is an I/O stream or channel: data that does not arrive whole. */
  static boolean isIo(Class<?> type) {
    return InputStream.class.isAssignableFrom(type)
        || OutputStream.class.isAssignableFrom(type)
        || Reader.class.isAssignableFrom(type)
        || Writer.class.isAssignableFrom(type)
        || Channel.class.isAssignableFrom(type);
  }

  /**
   * Why a payload of {@code type} can be neither encoded nor decoded faithfully, whatever the
   * codec, or null: it completes a sentence that begins with the type.
   */
  public static @Nullable String refused(Class<?> type) {
    if (isIo(type)) {
      return "is an I/O stream, which a payload codec cannot read or write; a payload travels"
          + " whole: use byte[], ByteBuffer or String";
    }
    if (BaseStream.class.isAssignableFrom(type) || Iterator.class.isAssignableFrom(type)) {
      return "is single-use and lazy: use a List";
    }
    if (type == Optional.class
        || type == OptionalInt.class
        || type == OptionalLong.class
        || type == OptionalDouble.class) {
      return "is an Optional: use the value itself (null is an empty payload)";
    }
    if (Runnable.class.isAssignableFrom(type)
        || Callable.class.isAssignableFrom(type)
        || Thread.class.isAssignableFrom(type)
        || type.getName().startsWith("java.util.function.")) {
      return "is code, not data, and cannot be encoded";
    }
    return null;
  }

  /**
   * The first line of a codec's (or a peer's) message, at most 200 characters: Jackson's go on for
   * a page.
   */
  public static String firstLine(@Nullable String message) {
    if (message == null) {
      return "malformed";
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
