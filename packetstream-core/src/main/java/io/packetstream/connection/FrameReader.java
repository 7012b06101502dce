package io.packetstream.connection;

import io.packetstream.wire.CorruptedFrameException;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import io.packetstream.wire.RequestFrame;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns the bytes a connection receives into packets for a {@link Sink}: bytes are {@linkplain
 * #feed fed} in pieces of any size, whole frames are decoded straight from the piece, and the bytes
 * of a frame not yet complete are kept until the rest comes.
 *
 * <p>Memory: what is kept grows with the bytes that actually arrived (at most twice them), never to
 * a frame's announced length up front. Once no partial frame remains, a buffer larger than the
 * allowance is dropped at once, a smaller one when the connection goes quiet ({@link #shrink}). The
 * kept buffer's bytes beyond the allowance are charged to the connection's {@link InboundAccount}.
 *
 * <p>Not thread-safe: one reading thread (an event loop, or a stream's reader) feeds it. No threads
 * of its own; tests feed it byte arrays.
 */
final class FrameReader {

  /** Where decoded packets go. */
  interface Sink {
    /**
     * A whole request frame lies in {@code buffer} where {@code frame} says; true if the sink
     * answered it there and then (the reader moves past it), false for the regular path. Called
     * only when {@link #wantsFrames()} is true.
     */
    default boolean request(ByteBuffer buffer, RequestFrame frame) throws IOException {
      return false;
    }

    /** Whether {@link #request} should be offered request frames before they are decoded. */
    default boolean wantsFrames() {
      return false;
    }

    /**
     * One packet, {@code frameBytes} long on the wire; false to stop reading here (the peer's EOF,
     * or the connection must pause): the bytes after it are kept for {@link #resume}.
     */
    boolean packet(Packet packet, int frameBytes) throws IOException;
  }

  private static final int MIN_KEPT = 256;

  /** Bytes to take at a time while a frame's length prefix is incomplete. */
  private static final int PREFIX_BYTES = 10;

  private final PacketCodec codec;
  private final Sink sink;
  private final InboundAccount account;
  private final long allowance;
  private final RequestFrame frame = new RequestFrame();
  private ByteBuffer kept; // read mode: the unread bytes lie between position and limit
  private long charged;

  FrameReader(PacketCodec codec, Sink sink, InboundAccount account, long allowance) {
    this.codec = codec;
    this.sink = sink;
    this.account = account;
    this.allowance = allowance;
  }

  /**
   * Decodes what it can of {@code src}'s remaining bytes and keeps the rest; {@code src} is
   * consumed either way.
   *
   * @return false if the sink stopped reading (the bytes after that point are kept)
   * @throws io.packetstream.wire.MalformedFrameException if the bytes are not valid frames
   */
  boolean feed(ByteBuffer src) throws IOException {
    // first complete the frame already begun, copying only its missing bytes
    while (holdsBytes() && src.hasRemaining()) {
      int length = codec.peekFrameLength(kept);
      int missing = length < 0 ? PREFIX_BYTES : length - kept.remaining();
      if (missing > 0) {
        int n = Math.min(missing, src.remaining());
        int limit = src.limit();
        src.limit(src.position() + n);
        keep(src);
        src.limit(limit);
      }
      if (!resume()) {
        if (src.hasRemaining()) {
          keep(src);
        }
        return false;
      }
      if (missing <= 0 && holdsBytes()) {
        // whole frames kept from an earlier stop were handed on, a partial one remains
        continue;
      }
    }
    if (holdsBytes()) {
      return true;
    }
    boolean more = decode(src);
    if (src.hasRemaining()) {
      keep(src);
    }
    return more;
  }

  /** Decodes the kept bytes; false if the sink stopped again. */
  boolean resume() throws IOException {
    if (kept == null) {
      return true;
    }
    boolean more = decode(kept);
    if (!kept.hasRemaining()) {
      emptied();
    }
    return more;
  }

  /**
   * Nothing is kept any more: a buffer within the allowance stays for the next partial frame of a
   * busy connection (so that a stream of frames split across reads allocates nothing), until {@link
   * #shrink()}; a larger one goes at once.
   */
  private void emptied() {
    if (kept.capacity() > allowance) {
      drop();
    } else {
      kept.clear().flip();
    }
  }

  /** Drops the buffer if it keeps nothing: for a connection gone quiet. */
  void shrink() {
    if (kept != null && !kept.hasRemaining()) {
      drop();
    }
  }

  /** The bytes it holds beyond its allowance, charged to the account. */
  long charged() {
    return charged;
  }

  /** Whether bytes of an incomplete frame (or frames not yet handed on) are kept. */
  boolean holdsBytes() {
    return kept != null && kept.hasRemaining();
  }

  /** How many bytes are kept now. */
  int keptBytes() {
    return kept == null ? 0 : kept.remaining();
  }

  /** The capacity of the kept buffer, 0 when there is none: what the reader holds in memory. */
  int keptCapacity() {
    return kept == null ? 0 : kept.capacity();
  }

  /**
   * The stream ended.
   *
   * @throws CorruptedFrameException if it ended inside a frame
   */
  void endOfInput() throws CorruptedFrameException {
    if (holdsBytes()) {
      int n = kept.remaining();
      throw new CorruptedFrameException("stream ends inside a frame, " + n + " bytes into it");
    }
  }

  /** Drops what is kept and gives back its charge; the reader can be fed again. */
  void release() {
    drop();
  }

  private boolean decode(ByteBuffer src) throws IOException {
    boolean frames = sink.wantsFrames();
    while (src.hasRemaining()) {
      if (frames && codec.peekRequest(src, frame) && frame.channel() == 0) {
        int limit = src.limit();
        if (sink.request(src, frame)) {
          src.limit(limit).position(frame.end());
          continue;
        }
        src.limit(limit);
        frames = sink.wantsFrames();
      }
      int start = src.position();
      Packet packet = codec.decode(src);
      if (packet == null) {
        return true;
      }
      if (!sink.packet(packet, src.position() - start)) {
        return false;
      }
      frames = sink.wantsFrames();
    }
    return true;
  }

  /** Appends {@code src}'s remaining bytes to the kept ones, growing the buffer as needed. */
  private void keep(ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (kept == null || (!kept.hasRemaining() && kept.capacity() < n)) {
      int frameLength = Math.max(0, codec.peekFrameLength(src));
      allocate(Math.max(MIN_KEPT, Math.min(2 * n, Math.max(n, frameLength))), null);
    } else if (kept.capacity() - kept.limit() < n) {
      int have = kept.remaining();
      int needed = have + n;
      if (needed <= kept.capacity() && have <= kept.capacity() / 2) {
        kept.compact().flip();
      } else {
        int frameLength = Math.max(needed, codec.peekFrameLength(kept));
        long doubled = Math.min(2L * kept.capacity(), frameLength);
        allocate((int) Math.max(needed, doubled), kept);
      }
    }
    int pos = kept.position();
    kept.position(kept.limit()).limit(kept.limit() + n);
    kept.put(src);
    kept.position(pos);
  }

  private void allocate(int capacity, ByteBuffer old) {
    ByteBuffer b = ByteBuffer.allocate(capacity);
    if (old != null) {
      b.put(old);
    }
    b.flip();
    kept = b;
    charge(Math.max(0, capacity - allowance));
  }

  private void drop() {
    kept = null;
    charge(0);
  }

  private void charge(long bytes) {
    long delta = bytes - charged;
    charged = bytes;
    if (delta > 0) {
      account.add(delta);
    } else if (delta < 0) {
      account.release(-delta);
      if (bytes == 0) {
        account.readerEmptied();
      }
    }
  }
}
