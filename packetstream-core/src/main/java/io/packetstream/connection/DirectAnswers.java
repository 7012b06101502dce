package io.packetstream.connection;

import io.packetstream.wire.BSUInt;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.RequestFrame;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The event loop's allocation-free path for a {@link BufferHandler} on channel 0: each request is
 * answered from the read buffer into the loop's answer buffer and encoded straight into the write
 * buffer, with no packet, request or response object, and no buffer per connection.
 */
final class DirectAnswers {

  /** The not-ok payload of an answer that does not fit the answer buffer. */
  static final String TOO_LARGE = "answer too large";

  private final PacketConnection connection;
  private final BufferHandler handler;
  private final Outbound outbound;
  private final EventLoop loop;
  private final int bufferSize;
  private final int maxFrameLength;
  // answers with at most this many payload bytes surely fit maxFrameLength: a channel-0 response's
  // fields are its tag and flag word
  private final int surelyFits;

  DirectAnswers(
      PacketConnection connection,
      BufferHandler handler,
      Outbound outbound,
      EventLoop loop,
      int bufferSize,
      int maxOutboundFrameLength) {
    this.connection = connection;
    this.handler = handler;
    this.outbound = outbound;
    this.loop = loop;
    this.bufferSize = bufferSize;
    this.maxFrameLength = maxOutboundFrameLength;
    this.surelyFits = maxOutboundFrameLength - 2 * BSUInt.MAX_BYTES;
  }

  /**
   * Answers the request on channel 0 that {@code frame} describes in {@code buffer}; the caller
   * moves the buffer past it afterwards.
   */
  void answer(ByteBuffer buffer, RequestFrame frame) throws IOException {
    int limit = buffer.limit();
    buffer.limit(frame.end()).position(frame.payloadStart());
    // the loop's own buffer: answers are encoded before the loop reads anything else
    ByteBuffer answer = loop.answerBuffer(bufferSize);
    boolean ok = true;
    long flags;
    ByteBuffer out = answer;
    try {
      flags = handler.answer(frame.rqType(), frame.flags(), buffer, answer);
      answer.flip();
      if (flags < 0 || flags > Packet.MAX_RESULT_FLAGS) {
        throw new IllegalArgumentException("answer flags " + flags + " out of range");
      }
    } catch (BufferOverflowException e) {
      ok = false;
      flags = 0;
      out = ByteBuffer.wrap(TOO_LARGE.getBytes(StandardCharsets.US_ASCII));
    } catch (RequestFailedException e) {
      ok = false;
      flags = e.response().flags();
      out = ByteBuffer.wrap(e.response().payload());
    } catch (Throwable e) {
      // an Error too (an AssertionError, say) fails this request, not the connection, as it does
      // for a RequestHandler (InboundRequest)
      connection.handlerFailed(frame.rqType(), e);
      Response failure = Response.failure();
      ok = false;
      flags = failure.flags();
      out = ByteBuffer.wrap(failure.payload());
    } finally {
      buffer.limit(limit).position(frame.end());
    }
    if (out.remaining() > surelyFits && tooLarge(frame.tag(), ok, flags, out.remaining())) {
      Response refusal = connection.answerTooLarge(0, frame.tag(), frame.rqType(), out.remaining());
      ok = false;
      flags = refusal.flags();
      out = ByteBuffer.wrap(refusal.payload());
    }
    if (!outbound.answerDirect(0, frame.tag(), ok, flags, out)) {
      byte[] bytes = new byte[out.remaining()];
      out.get(bytes);
      outbound.enqueue(Packet.response(0, frame.tag(), ok, flags, bytes));
    }
  }

  /** Whether the frame of this answer on channel 0 is over maxOutboundFrameLength. */
  private boolean tooLarge(long tag, boolean ok, long flags, int payloadBytes) {
    long body = PacketCodec.bodyLength(Packet.response(0, tag, ok, flags, new byte[0]));
    return body + payloadBytes > maxFrameLength;
  }

  /**
   * The same handler for the regular path (a listener is installed): a fresh answer buffer per
   * request, on the connection's executor.
   */
  static RequestHandler asRequestHandler(BufferHandler handler, int bufferSize) {
    return request -> {
      ByteBuffer answer = ByteBuffer.allocate(bufferSize);
      long flags;
      try {
        flags =
            handler.answer(
                request.rqType(),
                request.flags(),
                ByteBuffer.wrap(request.payload()).asReadOnlyBuffer(),
                answer);
      } catch (BufferOverflowException e) {
        return Response.failure(TOO_LARGE);
      }
      answer.flip();
      byte[] bytes = new byte[answer.remaining()];
      answer.get(bytes);
      return Response.ok(flags, bytes);
    };
  }
}
