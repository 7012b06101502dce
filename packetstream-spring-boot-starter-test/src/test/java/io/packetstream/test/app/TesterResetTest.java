package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;

/** The tester bean starts every test method afresh, though the context is shared. */
@PacketStreamTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TesterResetTest {

  private static PacketConnection first;

  @Autowired PacketStreamTester tester;

  @Test
  @Order(1)
  void leavesAConnectionAnAnswerAndAnUntakenRequest() {
    tester.onRequest(Orders.CALLBACK).respondOk("from the first test");
    tester
        .request(Orders.RING)
        .payload("one")
        .exchange()
        .assertOk()
        .assertPayload("peer said: from the first test");
    first = tester.connection();
  }

  @Test
  @Order(2)
  void findsNoneOfThem() {
    assertThat(first).as("the first test ran").isNotNull();
    assertThat(first.state().isTerminal()).as("its connection was closed").isTrue();
    tester.assertNoRequest(Orders.CALLBACK);
    tester
        .request(Orders.RING)
        .payload("two")
        .exchange()
        .assertOk()
        .assertPayload(
            "peer refused: the packetstream tester has no answer for request type 100:"
                + " give one with onRequest(100)");
    assertThat(tester.connection()).isNotSameAs(first);
  }
}
