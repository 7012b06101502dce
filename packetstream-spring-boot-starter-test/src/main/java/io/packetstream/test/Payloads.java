package io.packetstream.test;

import io.packetstream.spring.handler.PayloadCodec;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Payloads as the tester writes, reads and shows them: bytes as they are, text as UTF-8, any other
 * object through the application's {@link PayloadCodec}.
 */
final class Payloads {

  /** How much of a payload a message quotes. */
  private static final int QUOTED_CHARS = 200;

  private Payloads() {}

  static byte[] encode(Object payload, @Nullable PayloadCodec codec) {
    if (payload instanceof byte[] bytes) {
      return bytes.clone();
    }
    if (payload instanceof String text) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    if (codec == null) {
      throw new IllegalStateException(
          "no PayloadCodec to encode a "
              + payload.getClass().getName()
              + ": pass bytes or text, or give the tester a codec");
    }
    return codec.encode(payload);
  }

  /**
   * {@code payload} as {@code type}: bytes and text without a codec, anything else through it.
   * {@code what} names the payload in the message of the {@link AssertionError} thrown when the
   * codec cannot read it.
   */
  static Object decode(byte[] payload, Type type, @Nullable PayloadCodec codec, String what) {
    if (type == byte[].class) {
      return payload.clone();
    }
    if (type == String.class) {
      return new String(payload, StandardCharsets.UTF_8);
    }
    if (codec == null) {
      throw new IllegalStateException(
          "no PayloadCodec to read "
              + what
              + " as "
              + type.getTypeName()
              + ": read it as bytes or text, or give the tester a codec");
    }
    try {
      return codec.decode(payload, type);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "cannot read "
              + what
              + " "
              + quote(payload)
              + " as "
              + type.getTypeName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Whether {@code payload} read as {@code expected}'s class equals it. */
  static boolean matches(
      byte[] payload, Object expected, @Nullable PayloadCodec codec, String what) {
    if (expected instanceof byte[] bytes) {
      return Arrays.equals(payload, bytes);
    }
    return expected.equals(decode(payload, expected.getClass(), codec, what));
  }

  /** The payload for a message: quoted text when it is UTF-8, cut after a while, else its size. */
  static String quote(byte[] payload) {
    if (payload.length == 0) {
      return "(empty)";
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload))
              .toString();
    } catch (CharacterCodingException e) {
      return payload.length + " bytes, not UTF-8";
    }
    if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
      return payload.length + " bytes of binary";
    }
    return text.length() <= QUOTED_CHARS
        ? "\"" + text + "\""
        : "\"" + text.substring(0, QUOTED_CHARS) + "...\" (" + payload.length + " bytes)";
  }
}
