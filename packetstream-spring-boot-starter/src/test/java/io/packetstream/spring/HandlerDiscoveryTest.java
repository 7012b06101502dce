package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketChannel;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.CustomScopeConfigurer;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;
import org.springframework.context.support.SimpleThreadScope;

/**
 * Handler beans are served however the application creates them: lazily, behind a scoped proxy that
 * nothing injects; each case in a fresh application, over real TCP.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class HandlerDiscoveryTest {

  /** Answers type 1 with the text, upper-cased, and counts its instances. */
  static class Upper {
    static final AtomicInteger INSTANCES = new AtomicInteger();

    Upper() {
      INSTANCES.incrementAndGet();
    }

    @PacketHandler(1)
    String upper(String text) {
      return text.toUpperCase();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class PlainApp {
    @Bean
    Upper upper() {
      return new Upper();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class LazyBeanApp {
    @Bean
    @Lazy
    Upper upper() {
      return new Upper();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class ScopedApp {
    @Bean
    static CustomScopeConfigurer threadScope() {
      CustomScopeConfigurer c = new CustomScopeConfigurer();
      c.addScope("thread", new SimpleThreadScope());
      return c;
    }

    /** Injected nowhere: only the definitions tell it exists. */
    @Bean
    @Scope(scopeName = "thread", proxyMode = ScopedProxyMode.TARGET_CLASS)
    Upper upper() {
      return new Upper();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class PrototypeApp {
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    Upper upper() {
      return new Upper();
    }
  }

  /** The application's own annotation for type 7. */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
  @PacketHandler(7)
  @interface Invoice {}

  @PacketChannel(2)
  static class Billing {
    @Invoice
    String invoice(String order) {
      return "invoice for " + order;
    }

    @PacketHandler(value = 8, channel = 0)
    String ping() {
      return "pong";
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class BillingApp {
    @Bean
    Billing billing() {
      return new Billing();
    }
  }

  @Test
  void composedAnnotationsAndAClassLevelChannel() throws Exception {
    try (ConfigurableApplicationContext context = start(BillingApp.class)) {
      int port = context.getBean(PacketStreamServer.class).port();
      try (PacketConnection c =
          PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
        assertThat(
                c.submit(2, 7, 0, "tea".getBytes(UTF_8), java.time.Duration.ZERO)
                    .get(10, TimeUnit.SECONDS))
            .isEqualTo(Response.ok("invoice for tea"));
        assertThat(
                c.submit(0, 8, 0, new byte[0], java.time.Duration.ZERO).get(10, TimeUnit.SECONDS))
            .isEqualTo(Response.ok("pong"));
        // type 7 is the class's channel's, not channel 0's
        assertThat(
                c.submit(0, 7, 0, new byte[0], java.time.Duration.ZERO)
                    .get(10, TimeUnit.SECONDS)
                    .ok())
            .isFalse();
      }
    }
  }

  private static ConfigurableApplicationContext start(Class<?> app, String... properties) {
    return new SpringApplicationBuilder(app)
        .web(WebApplicationType.NONE)
        .properties("packetstream.server.port=0", "packetstream.server.address=127.0.0.1")
        .properties(properties)
        .run();
  }

  private static Response call(ConfigurableApplicationContext context, String text)
      throws Exception {
    int port = context.getBean(PacketStreamServer.class).port();
    try (PacketConnection c = PacketClient.connect("127.0.0.1", port, PacketConnection.builder())) {
      return c.submit(1, 0, text.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void logsTheHandlerTableAndWhereTheServerListens(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context = start(PlainApp.class)) {
      int port = context.getBean(PacketStreamServer.class).port();
      assertThat(output.getOut())
          .contains("channel 0, type 1 -> Upper.upper(String) of bean 'upper'")
          .contains("packetstream server packetstream-server listening on /127.0.0.1:" + port)
          .doesNotContain("no packetstream server or client to serve them");
    }
  }

  @Test
  void warnsWhenNoServerNorClientServesTheHandlers(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(PlainApp.class).web(WebApplicationType.NONE).run()) {
      assertThat(output.getOut())
          .contains("WARN")
          .contains(
              "there are @PacketHandler methods,"
                  + " but no packetstream server or client to serve them: set packetstream.server.port");
      assertThat(output.getOut().split("no packetstream server or client to serve them", -1))
          .as("warned once")
          .hasSize(2);
    }
  }

  @Test
  void aConfiguredClientServesTheHandlersSoNoWarning(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(PlainApp.class)
            .web(WebApplicationType.NONE)
            .properties(
                "packetstream.clients.peer.host=127.0.0.1",
                "packetstream.clients.peer.port=1",
                "packetstream.clients.peer.reconnect.enabled=false")
            .run()) {
      assertThat(output.getOut())
          .contains("channel 0, type 1 -> Upper.upper(String)")
          .doesNotContain("no packetstream server or client to serve them");
    }
  }

  @Test
  void servesHandlersUnderGlobalLazyInitialization() throws Exception {
    try (ConfigurableApplicationContext context =
        start(PlainApp.class, "spring.main.lazy-initialization=true")) {
      assertThat(call(context, "lazy")).isEqualTo(Response.ok("LAZY"));
    }
  }

  @Test
  void servesAnExplicitlyLazyHandlerBean() throws Exception {
    try (ConfigurableApplicationContext context = start(LazyBeanApp.class)) {
      assertThat(call(context, "lazy bean")).isEqualTo(Response.ok("LAZY BEAN"));
    }
  }

  @Test
  void servesAScopedProxyNobodyInjectsWithoutAWarningPerRequest(CapturedOutput output)
      throws Exception {
    try (ConfigurableApplicationContext context = start(ScopedApp.class)) {
      int before = Upper.INSTANCES.get();
      for (int i = 0; i < 3; i++) {
        assertThat(call(context, "scoped " + i)).isEqualTo(Response.ok("SCOPED " + i));
      }
      // each call ran on the target of its handler thread's scope, through the proxy
      assertThat(Upper.INSTANCES.get()).isGreaterThan(before);
      assertThat(output.getOut() + output.getErr())
          .doesNotContain("@PacketHandler methods are not served")
          .doesNotContain("scopedTarget.upper");
    }
  }

  @Test
  void warnsOnceAtStartUpForAPrototypeHandlerBean(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context = start(PrototypeApp.class)) {
      assertThat(output.getOut())
          .contains(
              "bean 'upper' has @PacketHandler methods but is not a"
                  + " singleton (scope 'prototype')");
      Response r = call(context, "x");
      assertThat(r.ok()).isFalse();
      assertThat(r.text()).contains("no @PacketHandler for request type 1");
    }
  }
}
