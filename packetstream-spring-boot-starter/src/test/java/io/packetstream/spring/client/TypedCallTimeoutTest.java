package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A typed call or an exchange that gets no answer in time fails saying which client, channel,
 * request type and timeout: the same message whether the call waits, returns a future, or names its
 * own timeout. Against {@link ExchangeServer}'s type 5, which never answers, over TCP on 127.0.0.1.
 */
@SpringBootTest(
    classes = TypedCallTimeoutTest.ClientApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.clients.inventory.host=127.0.0.1",
      "packetstream.clients.inventory.request-timeout=1s",
      "packetstream.observations.enabled=false"
    })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TypedCallTimeoutTest {

  private static final String TIMED_OUT =
      "packetstream client inventory: no answer to request type 5 on channel 0 within ";

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @ImportPacketExchanges(client = "inventory", types = Orders.class)
  static class ClientApp {}

  private static ConfigurableApplicationContext server;

  @DynamicPropertySource
  static void serverPort(DynamicPropertyRegistry registry) {
    if (server == null) {
      server = ExchangeServer.start();
    }
    int port = ExchangeServer.port(server);
    registry.add("packetstream.clients.inventory.port", () -> port);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.getBean(ExchangeServer.Handlers.class).release();
      server.close();
      server = null;
    }
  }

  @Autowired
  @Qualifier("inventory")
  PacketStreamClient inventory;

  @Autowired Orders orders;

  @BeforeEach
  void connected() throws InterruptedException {
    assertThat(inventory.awaitConnected(Duration.ofSeconds(20))).isTrue();
  }

  @Test
  void aTypedCallWithItsOwnTimeoutSaysWhatTimedOutAndAfterHowLong() {
    var call = inventory.submit(0, 5, 0, "x", String.class, Duration.ofMillis(200));

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessage(TIMED_OUT + "200ms");
  }

  @Test
  void aTypedCallAtTheClientsRequestTimeoutSaysThatTimeout() {
    var call = inventory.submit(5, "x", String.class);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessage(TIMED_OUT + "1s");
  }

  @Test
  void exchangesSayTheSameWhetherTheyWaitOrNot() {
    assertThatThrownBy(() -> orders.hangLater("x").get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessage(TIMED_OUT + "1s");
    assertThatThrownBy(() -> orders.hang("x"))
        .isInstanceOf(PacketRequestTimeoutException.class)
        .hasMessage("Orders.hang(String): " + TIMED_OUT + "1s")
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessage(TIMED_OUT + "1s");
    assertThatThrownBy(() -> orders.hangDeclared("x"))
        .isInstanceOf(TimeoutException.class)
        .hasMessage(TIMED_OUT + "1s");
  }
}
