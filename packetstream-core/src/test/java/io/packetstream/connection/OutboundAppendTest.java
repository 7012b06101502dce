package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An answer that waits behind bytes the channel did not take joins them in their buffer once the
 * written bytes' room is reclaimed, rather than taking a buffer of its own.
 */
@Timeout(30)
class OutboundAppendTest {

  /** A channel that takes at most {@code allowance} bytes, and records each write's count. */
  private static final class MeteredSink implements Outbound.Sink {
    int allowance;
    final List<Integer> writes = new ArrayList<>();

    @Override
    public int write(ByteBuffer src) {
      int n = Math.min(allowance, src.remaining());
      src.position(src.position() + n);
      allowance -= n;
      if (n > 0) {
        writes.add(n);
      }
      return n;
    }

    @Override
    public void awaitWritable() {}

    @Override
    public void flush() {}
  }

  private static final class NoEvents implements Outbound.Events {
    @Override
    public void sent(Packet packet, int bytes) {}

    @Override
    public void sentDirect(int bytes) {}

    @Override
    public void flushed() {}

    @Override
    public void answersDrained() {}

    @Override
    public void finished() {}

    @Override
    public void failed(Throwable error) {}
  }

  @Test
  void anAnswerThatFitsOnceTheWrittenBytesAreDroppedJoinsTheWaitingBuffer() throws Exception {
    int capacity = EventLoopGroup.IO_BUFFER_SIZE;
    int free = 1000; // left in the batch buffer after the first answer
    int first = payloadForFrame(capacity - free);
    // does not fit the batch buffer's free room (a header takes up to 35 bytes), and 33 bytes more
    // than its payload are free at the end of the buffer once it waits unsent
    int second = free - 33;
    try (EventLoopGroup group = EventLoopGroup.create(1)) {
      MeteredSink sink = new MeteredSink();
      Outbound out = new Outbound(new NoEvents(), group, null, true, 0, Long.MAX_VALUE);
      out.sink(sink);
      out.beginBatch();
      assertThat(out.answerDirect(0, 1, true, 0, ByteBuffer.allocate(first))).isTrue();
      sink.allowance = 10; // making room for the second, the channel takes 10 bytes only
      assertThat(out.answerDirect(0, 2, true, 0, ByteBuffer.allocate(second))).isTrue();
      assertThat(sink.writes).containsExactly(10);

      sink.allowance = Integer.MAX_VALUE;
      out.endBatch();

      int secondFrame = frameLength(2, second);
      assertThat(sink.writes).containsExactly(10, capacity - free - 10 + secondFrame);
    }
  }

  private static int frameLength(long tag, int payload) {
    return PacketCodec.frameLength(Packet.response(0, tag, true, 0, new byte[payload]));
  }

  private static int payloadForFrame(int frame) {
    for (int p = frame; p > frame - 64; p--) {
      if (frameLength(1, p) == frame) {
        return p;
      }
    }
    throw new IllegalStateException("no payload makes a frame of " + frame);
  }
}
