package io.packetstream.connection;

import java.nio.ByteBuffer;

/**
 * Answers the peer's requests on channel 0 straight from the connection's read buffer and into its
 * write buffer, on the reader thread, with no object allocated per request: for small, fast,
 * never-blocking handlers on busy servers, where a {@link RequestHandler}'s {@link Request},
 * payload array and {@link Response} per request would keep the garbage collector busy.
 *
 * <pre>{@code
 * PacketConnection.builder().bufferHandler((rqType, flags, payload, answer) -> {
 *   for (int i = payload.limit() - 1; i >= payload.position(); i--) {
 *     answer.put(payload.get(i));   // the payload reversed
 *   }
 *   return 0;                       // ok, flags 0
 * });
 * }</pre>
 *
 * <p>The answer is ok, with the returned flags and what was put into {@code answer}. Throwing
 * {@link RequestFailedException} answers not ok with its flags and payload; any other exception or
 * error answers the original's {@code exception during handler}, and an answer that does not fit
 * into {@code answer}, or whose frame would be over {@link
 * PacketConnection.Builder#maxOutboundFrameLength}, a not-ok {@code answer too large}. Both buffers
 * are valid only during the call. Every request is answered before the next one is read, so the
 * connection's concurrency and queue limits never come into play.
 */
@FunctionalInterface
public interface BufferHandler {

  /**
   * Answers one request: reads its payload between {@code payload}'s position and limit (do not
   * write into it), puts the answer's payload into {@code answer} (empty, position 0, capacity the
   * connection's buffer size), and returns the answer's flags.
   */
  long answer(long rqType, long flags, ByteBuffer payload, ByteBuffer answer) throws Exception;
}
