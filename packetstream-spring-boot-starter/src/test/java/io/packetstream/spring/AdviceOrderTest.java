package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketControllerAdvice;
import io.packetstream.spring.handler.PacketExceptionHandler;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;

/**
 * Advice beans are asked in the order their {@code @Bean} methods give, as interceptors are and as
 * Spring MVC orders {@code @ControllerAdvice} beans: one advice class registered twice, the later
 * definition first.
 */
@SpringBootTest(
    classes = AdviceOrderTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"packetstream.server.port=0", "packetstream.server.address=127.0.0.1"})
class AdviceOrderTest {

  static class Failing {
    @PacketHandler(1)
    String fail() {
      throw new IllegalStateException("broken");
    }
  }

  /** Answers with its own name, whatever failed. */
  @PacketControllerAdvice
  static class Named {
    private final String name;

    Named(String name) {
      this.name = name;
    }

    @PacketExceptionHandler
    String failed(IllegalStateException e) {
      return name + ": " + e.getMessage();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Failing.class)
  static class App {

    @Bean
    @Order(2)
    Named fallback() {
      return new Named("fallback");
    }

    @Bean
    @Order(1)
    Named first() {
      return new Named("first");
    }
  }

  @Autowired PacketStreamServer server;

  @Test
  void theAdviceWhoseBeanMethodComesFirstAnswers() throws Exception {
    PacketConnection client =
        PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    try {
      assertThat(client.submit(1, 0, new byte[0]).get(10, TimeUnit.SECONDS))
          .isEqualTo(Response.failure("first: broken"));
    } finally {
      client.close();
    }
  }
}
