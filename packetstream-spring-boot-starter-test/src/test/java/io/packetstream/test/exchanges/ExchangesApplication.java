package io.packetstream.test.exchanges;

import io.packetstream.spring.client.ImportPacketExchanges;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application that registers its exchange interface on its main class, as one enables Feign
 * clients there.
 */
@SpringBootApplication
@ImportPacketExchanges(client = "billing", types = Billing.class)
public class ExchangesApplication {}
