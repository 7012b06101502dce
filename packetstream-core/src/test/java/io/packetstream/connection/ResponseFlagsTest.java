package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.wire.Packet;
import org.junit.jupiter.api.Test;

/**
 * A response carries one flag bit fewer than a request: an echo of a request's largest flags is
 * refused with a message that names the range and why, which only said "out of range".
 */
class ResponseFlagsTest {

  @Test
  void flagsBeyondAResponsesRangeAreRefusedNamingTheRange() {
    assertThat(Response.ok(Packet.MAX_RESULT_FLAGS).flags()).isEqualTo(Packet.MAX_RESULT_FLAGS);
    assertThatThrownBy(() -> Response.ok(Packet.MAX_FLAGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside 0.." + Packet.MAX_RESULT_FLAGS)
        .hasMessageContaining("one flag bit fewer than a request");
  }
}
