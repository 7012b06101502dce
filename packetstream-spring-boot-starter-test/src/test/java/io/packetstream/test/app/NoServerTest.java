package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** With the server off and the default transport, the tester says what to set. */
@PacketStreamTest(properties = "packetstream.server.enabled=false")
class NoServerTest {

  @Autowired PacketStreamTester tester;

  @Test
  void theTesterSaysHowToGiveItAServer() {
    assertThatThrownBy(() -> tester.request(Orders.ECHO).exchange())
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage(
            "packetstream tester cannot connect: there is no packetstream server in this"
                + " context: set packetstream.server.port (@PacketStreamTest sets 0), or"
                + " packetstream.test.transport=in-memory");
  }
}
