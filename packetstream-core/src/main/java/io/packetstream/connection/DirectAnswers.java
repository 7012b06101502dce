package io.packetstream.connection;

import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.ProtocolException;
import io.packetstream.wire.RequestFrame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The reader thread's allocation-free path for a {@link BufferHandler} on channel 0: each
 * request is answered from the read buffer into a reused answer buffer and encoded straight into
 * the writer's buffer, with no packet, request or response object.
 */
final class DirectAnswers {

  private static final System.Logger LOG = System.getLogger(PacketConnection.class.getName());

  /** The not-ok payload of an answer that does not fit the answer buffer. */
  static final String TOO_LARGE = "answer too large";

  private final PacketConnection connection;
  private final BufferHandler handler;
  private final PacketCodec codec;
  private final PacketWriter writer;
  private final RequestFrame frame = new RequestFrame();
  private final ByteBuffer answer;

  DirectAnswers(PacketConnection connection, BufferHandler handler, PacketCodec codec,
      PacketWriter writer, int bufferSize) {
    this.connection = connection;
    this.handler = handler;
    this.codec = codec;
    this.writer = writer;
    this.answer = ByteBuffer.allocate(bufferSize);
  }

  /**
   * Answers the request at the buffer's position and moves past it; false (buffer unchanged)
   * when the next frame is not a whole request on channel 0, for the regular path to read.
   */
  boolean answer(ByteBuffer buffer) throws ProtocolException, IOException {
    if (!codec.peekRequest(buffer, frame) || frame.channel() != 0) {
      return false;
    }
    int limit = buffer.limit();
    buffer.limit(frame.end()).position(frame.payloadStart());
    answer.clear();
    boolean ok = true;
    long flags;
    ByteBuffer out = answer;
    try {
      flags = handler.answer(frame.rqType(), frame.flags(), buffer, answer);
      answer.flip();
      if (flags < 0 || flags > io.packetstream.wire.Packet.MAX_RESULT_FLAGS) {
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
    } catch (Exception e) {
      LOG.log(Level.WARNING, () -> connection.name() + ": buffer handler failed for request type "
          + frame.rqType() + ", tag " + frame.tag(), e);
      Response failure = Response.failure();
      ok = false;
      flags = failure.flags();
      out = ByteBuffer.wrap(failure.payload());
    } finally {
      buffer.limit(limit).position(frame.end());
    }
    if (!writer.answerInline(0, frame.tag(), ok, flags, out)) {
      byte[] bytes = new byte[out.remaining()];
      out.get(bytes);
      writer.enqueue(io.packetstream.wire.Packet.response(0, frame.tag(), ok, flags, bytes));
    }
    return true;
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
        flags = handler.answer(request.rqType(), request.flags(),
            ByteBuffer.wrap(request.payload()).asReadOnlyBuffer(), answer);
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
