package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.test.LocalPacketStreamServerPort;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A port the test sets itself wins over the slice's free one. */
@PacketStreamTest(properties = "packetstream.server.port=${own.port}")
class OwnPortTest {

  private static final int OWN = freePort();

  @DynamicPropertySource
  static void ownPort(DynamicPropertyRegistry registry) {
    registry.add("own.port", () -> OWN);
  }

  @LocalPacketStreamServerPort int port;

  @Autowired PacketStreamTester tester;

  @Test
  void theServerListensOnTheTestsOwnPort() {
    assertThat(port).isEqualTo(OWN);
    tester.request(Orders.ECHO).payload("here").exchange().assertOk().assertPayload("here");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
