package io.packetstream.test.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * The slice makes no clients, so the exchange interfaces the application class imports are left out
 * rather than stopping the context for want of their client.
 */
@PacketStreamTest(properties = "packetstream.clients.billing.port=1")
class ImportedExchangesSliceTest {

  @Autowired PacketStreamTester tester;
  @Autowired ApplicationContext context;

  @Test
  void theSliceStartsWithoutTheImportedExchanges() {
    assertThat(context.getBeanNamesForType(Billing.class)).isEmpty();
    tester.request(Quotes.ECHO).payload("hi").exchange().assertOk().assertPayload("hi");
    tester.request(Quotes.QUOTE).payload("pen").exchange().assertOk().assertPayload("no billing");
  }
}
