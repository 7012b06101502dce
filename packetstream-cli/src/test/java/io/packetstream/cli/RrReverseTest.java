package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rr-server's buffer handler reverses payloads of every length into heap and direct answer
 * buffers, whatever the buffers' byte orders, and writes nothing beyond the answer.
 */
class RrReverseTest {

  @ParameterizedTest(name = "direct={0} littleEndianAnswer={1}")
  @CsvSource({"true,false", "true,true", "false,false"})
  void reversesEveryLengthFromAnOffsetPayload(boolean direct, boolean littleEndian) {
    for (int n :
        new int[] {
          0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 4095, 4096, 4097, 65535, 65536, 65537, 70001
        }) {
      byte[] bytes = new byte[n];
      for (int k = 0; k < n; k++) {
        bytes[k] = (byte) (k * 7 + 3);
      }
      // the payload sits at an offset of a larger read buffer, as the connection hands it over
      ByteBuffer read = ByteBuffer.allocateDirect(n + 10);
      read.position(5);
      read.put(bytes);
      ByteBuffer payload = read.position(5).limit(5 + n).slice();
      ByteBuffer answer = direct ? ByteBuffer.allocateDirect(n + 20) : ByteBuffer.allocate(n + 20);
      if (littleEndian) {
        answer.order(ByteOrder.LITTLE_ENDIAN);
      }
      answer.position(3);

      long flags = RrServerCommand.reverse(0, 0, payload, answer);

      assertThat(flags).isEqualTo(ConformanceHandler.REVERSE_FLAGS);
      assertThat(answer.position()).as("answer end, n=%d", n).isEqualTo(3 + n);
      byte[] got = new byte[n];
      answer.get(3, got);
      assertThat(got).as("n=%d", n).isEqualTo(ConformanceHandler.reversed(bytes));
      assertThat(answer.get(3 + n)).as("nothing written past the answer").isZero();
    }
  }
}
