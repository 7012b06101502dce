package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * With the in-memory transport the tester serves the handlers, so the start-up warning that nothing
 * serves them is not logged. (Its own server name gives this test a context of its own, started
 * while the output is captured.)
 */
@PacketStreamTest(
    properties = {
      "packetstream.test.transport=in-memory",
      "packetstream.server.name=in-memory-warning"
    })
@ExtendWith(OutputCaptureExtension.class)
class InMemoryTransportWarningTest {

  @Autowired PacketStreamTester tester;

  @Test
  void nothingWarnsThatTheHandlersAreNotServed(CapturedOutput output) {
    assertThat(output.getOut())
        .as("this context started while the output was captured")
        .contains("@PacketHandler methods:")
        .doesNotContain("no packetstream server or client to serve them");
    tester.request(Orders.ECHO).payload("served").exchange().assertOk().assertPayload("served");
  }
}
