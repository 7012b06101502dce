package io.packetstream.test.exchanges;

import static org.mockito.BDDMockito.given;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/** A handler that calls an imported exchange gets the test's mock of it in the slice. */
@PacketStreamTest
class MockedExchangeSliceTest {

  @Autowired PacketStreamTester tester;
  @MockitoBean Billing billing;

  @Test
  void theHandlerCallsTheMock() {
    given(billing.price("pen")).willReturn("3");
    tester.request(Quotes.QUOTE).payload("pen").exchange().assertOk().assertPayload("pen costs 3");
  }
}
