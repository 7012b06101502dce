package io.packetstream.connection;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The outcome of one request: whether it succeeded, the responder's flags and its payload.
 *
 * <p>A requester receives one for each request it submits; a handler returns one (it is a {@link
 * Reply}). The factories cover every result the original handler could give:
 *
 * <table>
 *   <caption>handler results</caption>
 *   <tr><th>original handler returns</th><th>here</th></tr>
 *   <tr><td>nothing</td><td>{@link #empty()}</td></tr>
 *   <tr><td>an integer</td><td>{@link #ok(long)}</td></tr>
 *   <tr><td>bytes</td><td>{@link #ok(byte[])}</td></tr>
 *   <tr><td>a string</td><td>{@link #ok(String)}</td></tr>
 *   <tr><td>(integer, bytes)</td><td>{@link #ok(long, byte[])}</td></tr>
 *   <tr><td>raises</td><td>throw, or {@link #failure(long, byte[])}</td></tr>
 * </table>
 *
 * <p>The response owns {@code payload}: it is not copied, so do not change it once handed in.
 *
 * @param ok whether the request succeeded (the ok bit on the wire)
 * @param flags the responder's flags, 0 to {@link io.packetstream.wire.Packet#MAX_RESULT_FLAGS}
 * @param payload the payload, owned by the response
 */
public record Response(boolean ok, long flags, byte[] payload) implements Reply {

  private static final byte[] EMPTY = new byte[0];
  private static final Response OK = new Response(true, 0, EMPTY);

  /** Payload the original sends when its handler raises, and that this library sends too. */
  public static final String HANDLER_EXCEPTION = "exception during handler";

  /** Checks the flags range and that there is a payload. */
  public Response {
    Objects.requireNonNull(payload, "payload");
    if (flags < 0 || flags > io.packetstream.wire.Packet.MAX_RESULT_FLAGS) {
      // one bit fewer than a request's: the top bit carries "ok" on the wire
      throw new IllegalArgumentException(
          "response flags "
              + flags
              + " outside 0.."
              + io.packetstream.wire.Packet.MAX_RESULT_FLAGS
              + " (a response has one flag bit fewer than a request: it carries ok)");
    }
  }

  /** Ok, flags 0, empty payload: what a handler that returns nothing sends. */
  public static Response empty() {
    return OK;
  }

  /** Ok with these flags and an empty payload. */
  public static Response ok(long flags) {
    return flags == 0 ? OK : new Response(true, flags, EMPTY);
  }

  /** Ok, flags 0, these bytes. */
  public static Response ok(byte[] payload) {
    return new Response(true, 0, payload);
  }

  /** Ok, flags 0, the text in UTF-8. */
  public static Response ok(String text) {
    return new Response(true, 0, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Ok with these flags and bytes. */
  public static Response ok(long flags, byte[] payload) {
    return new Response(true, flags, payload);
  }

  /** Not ok, flags 0, the original's {@value #HANDLER_EXCEPTION} text. */
  public static Response failure() {
    return failure(HANDLER_EXCEPTION);
  }

  /** Not ok, flags 0, the text in UTF-8. */
  public static Response failure(String text) {
    return new Response(false, 0, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Not ok with these flags and bytes. */
  public static Response failure(long flags, byte[] payload) {
    return new Response(false, flags, payload);
  }

  /** The payload decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Response r
        && ok == r.ok
        && flags == r.flags
        && Arrays.equals(payload, r.payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Boolean.hashCode(ok) + Long.hashCode(flags)) + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    int shown = Math.min(payload.length, 32);
    return "Response[ok="
        + ok
        + ", flags="
        + flags
        + ", payload="
        + payload.length
        + " bytes "
        + HexFormat.of().formatHex(payload, 0, shown)
        + (shown < payload.length ? "..." : "")
        + "]";
  }
}
