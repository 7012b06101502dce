package io.packetstream.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** packetstream.test.transport: tcp by default, in-memory on request, anything else refused. */
class TestTransportTest {

  @Test
  void isTcpUnlessToldOtherwise() {
    assertThat(TestTransport.of(new MockEnvironment())).isEqualTo(TestTransport.TCP);
    assertThat(
            TestTransport.of(
                new MockEnvironment().withProperty("packetstream.test.transport", " In-Memory ")))
        .isEqualTo(TestTransport.IN_MEMORY);
  }

  @Test
  void refusesAnUnknownTransportNamingTheProperty() {
    assertThatThrownBy(
            () ->
                TestTransport.of(
                    new MockEnvironment().withProperty("packetstream.test.transport", "udp")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "packetstream.test.transport=udp is not a transport: use tcp (the default) or in-memory");
  }
}
