package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The in-memory transport names the application's end after packetstream.server.name. */
@PacketStreamTest(
    properties = {"packetstream.test.transport=in-memory", "packetstream.server.name=orders"})
class InMemoryServerNameTest {

  @Autowired PacketStreamTester tester;

  @Test
  void theApplicationsEndIsNamedAfterTheServersName() {
    assertThat(tester.request(Orders.CONNECTION_NAME).exchange().assertOk().payloadText())
        .startsWith("orders#in-memory-");
  }
}
