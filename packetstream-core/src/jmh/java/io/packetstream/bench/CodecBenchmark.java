package io.packetstream.bench;

import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The wire codec alone: encoding a request into a reused buffer, as the connection's writer does,
 * and decoding one from a heap or a direct buffer, as its reader does, for a small (32-byte) and a
 * 4 KiB payload. (Encoding ignores the buffer parameter.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

  @Param({"32", "4096"})
  int payloadBytes;

  /**
   * Where the frame to decode sits: a heap buffer, or a direct one as channel transports read into.
   */
  @Param({"heap", "direct"})
  String buffer;

  private final PacketCodec codec = new PacketCodec();
  private Packet packet;
  private byte[] out;
  private ByteBuffer frame;

  @Setup
  public void setUp() {
    byte[] payload = new byte[payloadBytes];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    // a tag past 16384 and non-zero flags: three-byte and two-byte numbers, as under load
    packet = Packet.request(0, 20_000, 300, 0, payload);
    out = new byte[PacketCodec.frameLength(packet)];
    byte[] bytes = PacketCodec.encode(packet);
    frame =
        buffer.equals("direct")
            ? ByteBuffer.allocateDirect(bytes.length).put(bytes).flip()
            : ByteBuffer.wrap(bytes);
  }

  /** Encodes into a reused array; returns the end offset so nothing is optimised away. */
  @Benchmark
  public int encode() {
    return PacketCodec.encode(packet, out, 0);
  }

  /** Decodes one frame (a new packet and its payload array, as the reader makes them). */
  @Benchmark
  public Packet decode() throws Exception {
    frame.rewind();
    return codec.decode(frame);
  }
}
