package io.packetstream.test.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.PacketStreamTester.ReceivedRequest;
import io.packetstream.test.app.Orders.Order;
import io.packetstream.test.app.Orders.Receipt;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;

/** The tester's exchanges, callbacks, and the messages of the assertions it fails. */
@PacketStreamTest
class PacketStreamTesterTest {

  @Autowired PacketStreamTester tester;

  @Test
  void assertOkNamesTheRequestAndTheNotOkAnswer() {
    assertThatThrownBy(
            () -> tester.request(Orders.ORDER).payload(new Order("ink", -1)).exchange().assertOk())
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "request type 1 (channel 0, flags 0, payload \"{\"item\":\"ink\",\"quantity\":-1}\"):"
                + " expected an ok answer but got not-ok, flags 0, payload \"bad order: quantity -1 of ink\"");
  }

  @Test
  void assertNotOkNamesTheOkAnswer() {
    assertThatThrownBy(() -> tester.request(Orders.ECHO).payload("hi").exchange().assertNotOk())
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "request type 2 (channel 0, flags 0, payload \"hi\"): expected a not-ok answer"
                + " but got ok, flags 0, payload \"hi\"");
  }

  @Test
  void assertFlagsAndAssertPayloadSayWhatCameInstead() {
    assertThatThrownBy(
            () -> tester.request(Orders.FLAGS_PLUS_ONE).flags(1).exchange().assertFlags(3))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "request type 3 (channel 0, flags 1, payload (empty)): expected flags 3 but"
                + " got ok, flags 2, payload (empty)");
    assertThatThrownBy(
            () ->
                tester
                    .request(Orders.ORDER)
                    .payload(new Order("pen", 1))
                    .exchange()
                    .assertPayload(new Receipt("pen", 1, 100)))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "request type 1 (channel 0, flags 0, payload \"{\"item\":\"pen\",\"quantity\":1}\"):"
                + " expected payload Receipt[item=pen, quantity=1, cents=100] but got ok, flags 0,"
                + " payload \"{\"item\":\"pen\",\"quantity\":1,\"cents\":150}\"");
  }

  @Test
  void aPayloadTheCodecCannotReadIsAnAssertionFailure() {
    assertThatThrownBy(
            () -> tester.request(Orders.ECHO).payload("not json").exchange().payload(Receipt.class))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            "cannot read the answer to request type 2 (channel 0, flags 0,"
                + " payload \"not json\") \"not json\" as "
                + Receipt.class.getName()
                + ": ");
  }

  @Test
  void readsGenericPayloads() {
    List<String> items =
        tester
            .request(Orders.ECHO)
            .payload("[\"a\",\"b\"]")
            .exchange()
            .assertOk()
            .payload(new ParameterizedTypeReference<List<String>>() {});
    assertThat(items).containsExactly("a", "b");
  }

  @Test
  void anExchangeWaitsNoLongerThanItsTimeout() {
    try {
      assertThatThrownBy(
              () -> tester.request(Orders.SLOW).timeout(Duration.ofMillis(200)).exchange())
          .isInstanceOf(AssertionError.class)
          .hasMessage(
              "request type 6 (channel 0, flags 0, payload (empty)): no answer within PT0.2S");
    } finally {
      Orders.RELEASE.countDown();
    }
  }

  @Test
  void answersTheServersRequestsAsToldAndHandsThemToTheTest() {
    tester.onRequest(Orders.CALLBACK).respondOk("pong");
    tester
        .request(Orders.RING)
        .payload("ping")
        .exchange()
        .assertOk()
        .assertPayload("peer said: pong");

    ReceivedRequest callback = tester.awaitRequest(Orders.CALLBACK, Duration.ofSeconds(10));
    assertThat(callback.rqType()).isEqualTo(Orders.CALLBACK);
    assertThat(callback.payloadText()).isEqualTo("ping");
    callback.assertFlags(7).assertPayload("ping");
    tester.assertNoRequest(Orders.CALLBACK);
  }

  @Test
  void refusesARequestTypeItHasNoAnswerForButStillKeepsIt() {
    tester
        .request(Orders.RING)
        .payload("anyone?")
        .exchange()
        .assertOk()
        .assertPayload(
            "peer refused: the packetstream tester has no answer for request type 100: give one with"
                + " onRequest(100)");
    assertThatThrownBy(() -> tester.assertNoRequest(Orders.CALLBACK))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "expected no request of type 100 from the server but it sent request type 100"
                + " (channel 0, flags 7, payload \"anyone?\")");
    assertThat(tester.awaitRequest(Orders.CALLBACK).payloadText()).isEqualTo("anyone?");
  }

  @Test
  void assertionsOnAReceivedRequestSayWhatCame() {
    tester.onRequest(Orders.CALLBACK).respondOk();
    tester.request(Orders.RING).payload("ping").exchange().assertOk();
    ReceivedRequest callback = tester.awaitRequest(Orders.CALLBACK);
    assertThatThrownBy(() -> callback.assertFlags(0))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "expected flags 0 but got 7 on request type 100 (channel 0, flags 7, payload \"ping\")");
    assertThatThrownBy(() -> callback.assertPayload("pong"))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "expected payload \"pong\" but got \"ping\" on request type 100 (channel 0,"
                + " flags 7, payload \"ping\")");
  }

  @Test
  void awaitingARequestThatNeverComesFailsAfterTheTimeoutSayingWhatCameInstead() {
    tester.request(Orders.RING).payload("x").exchange().assertOk();
    assertThatThrownBy(() -> tester.awaitRequest(55, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "expected a request of type 55 from the server within PT0.2S but none came;"
                + " requests waiting to be taken, by type: {100=1}");
  }
}
