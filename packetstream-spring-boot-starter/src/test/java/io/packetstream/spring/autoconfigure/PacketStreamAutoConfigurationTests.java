package io.packetstream.spring.autoconfigure;

import static io.packetstream.spring.autoconfigure.StartupFailures.invalidProperty;
import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.handler.InvalidPacketHandlerException;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketHandlerFailureAnalyzer;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.handler.PayloadCodec;
import java.lang.reflect.Type;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * The core auto-configuration: handler discovery, the codec, the connection builders, the
 * properties and their checks.
 */
class PacketStreamAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class, PacketStreamAutoConfiguration.class));

  @Test
  void coreBeansWithoutServerWhenNoPortIsSet() {
    runner.run(
        context ->
            assertThat(context)
                .hasSingleBean(PacketHandlers.class)
                .hasSingleBean(PacketConnectionBuilders.class)
                .hasSingleBean(JacksonPayloadCodec.class)
                .hasSingleBean(PacketStreamProperties.class));
  }

  @Test
  void virtualThreadsTurnedOffMeanTheCoresPlatformHandlerPool() {
    runner
        .withPropertyValues("spring.threads.virtual.enabled=false")
        .run(
            context ->
                assertThat(
                        ((StarterConnectionBuilders)
                                context.getBean(PacketConnectionBuilders.class))
                            .executor())
                    .isSameAs(
                        io.packetstream.connection.PacketConnection.platformHandlerExecutor()));
    runner.run(
        context ->
            assertThat(
                    ((StarterConnectionBuilders) context.getBean(PacketConnectionBuilders.class))
                        .executor())
                .as("unset: the core chooses")
                .isNull());
  }

  @Test
  void userCodecReplacesJackson() {
    runner
        .withUserConfiguration(UserCodec.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(JacksonPayloadCodec.class);
              assertThat(context.getBean(PayloadCodec.class))
                  .isSameAs(context.getBean("userCodec"));
            });
  }

  @Test
  void noCodecWithoutJackson() {
    runner
        .withClassLoader(new FilteredClassLoader(JsonMapper.class))
        .run(context -> assertThat(context).doesNotHaveBean(PayloadCodec.class));
  }

  @Test
  void userBeansReplaceTheStartersOwn() {
    runner
        .withUserConfiguration(UserBuilders.class)
        .run(
            context ->
                assertThat(context.getBean(PacketConnectionBuilders.class))
                    .isSameAs(context.getBean("userBuilders")));
  }

  @Test
  void bindsEveryPropertyGroup() {
    runner
        .withPropertyValues(
            "packetstream.packet-grace=10ms",
            "packetstream.read-spin=50us",
            "packetstream.tick=true",
            "packetstream.max-frame-size=1MB",
            "packetstream.max-concurrent-requests=8",
            "packetstream.max-queued-requests=16",
            "packetstream.max-queued-request-size=2MB",
            "packetstream.max-queued-answer-size=3MB",
            "packetstream.max-pending-requests=32",
            "packetstream.request-timeout=5s",
            "packetstream.close-timeout=2s",
            "packetstream.send-erq=false",
            "packetstream.server.shutdown-timeout=3s",
            "packetstream.server.max-connections=7",
            "packetstream.server.ssl.bundle=srv",
            "packetstream.metrics.max-tagged-connections=5",
            "packetstream.clients.billing.host=billing.example",
            "packetstream.clients.billing.port=9000",
            "packetstream.clients.billing.connect-timeout=4s",
            "packetstream.clients.billing.reconnect.initial-delay=1s",
            "packetstream.clients.billing.reconnect.max-delay=1m",
            "packetstream.clients.billing.reconnect.multiplier=3",
            "packetstream.clients.billing.reconnect.enabled=false")
        .run(
            context -> {
              PacketStreamProperties p = context.getBean(PacketStreamProperties.class);
              assertThat(p.getPacketGrace()).isEqualTo(Duration.ofMillis(10));
              assertThat(p.getReadSpin()).isEqualTo(Duration.ofNanos(50_000));
              assertThat(p.isTick()).isTrue();
              assertThat(p.getMaxFrameSize()).isEqualTo(DataSize.ofMegabytes(1));
              assertThat(p.getMaxConcurrentRequests()).isEqualTo(8);
              assertThat(p.getMaxQueuedRequests()).isEqualTo(16);
              assertThat(p.getMaxQueuedRequestSize()).isEqualTo(DataSize.ofMegabytes(2));
              assertThat(p.getMaxQueuedAnswerSize()).isEqualTo(DataSize.ofMegabytes(3));
              assertThat(p.getMaxPendingRequests()).isEqualTo(32);
              assertThat(p.getRequestTimeout()).isEqualTo(Duration.ofSeconds(5));
              assertThat(p.getCloseTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(p.isSendErq()).isFalse();
              assertThat(p.getServer().getShutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
              assertThat(p.getServer().getMaxConnections()).isEqualTo(7);
              assertThat(p.getServer().getSsl().getBundle()).isEqualTo("srv");
              assertThat(p.getMetrics().getMaxTaggedConnections()).isEqualTo(5);
              PacketStreamProperties.Client c = p.getClients().get("billing");
              assertThat(c.getHost()).isEqualTo("billing.example");
              assertThat(c.getPort()).isEqualTo(9000);
              assertThat(c.getConnectTimeout()).isEqualTo(Duration.ofSeconds(4));
              assertThat(c.getReconnect().getInitialDelay()).isEqualTo(Duration.ofSeconds(1));
              assertThat(c.getReconnect().getMaxDelay()).isEqualTo(Duration.ofMinutes(1));
              assertThat(c.getReconnect().getMultiplier()).isEqualTo(3.0);
              assertThat(c.getReconnect().isEnabled()).isFalse();
              assertThat(c.isFailFast()).isFalse();
            });
  }

  @Test
  void defaultsAreSafe() {
    runner.run(
        context -> {
          PacketStreamProperties p = context.getBean(PacketStreamProperties.class);
          assertThat(p.getPacketGrace()).isZero();
          assertThat(p.getReadSpin()).isZero();
          assertThat(p.isTick()).isFalse();
          assertThat(p.getMaxFrameSize()).isEqualTo(DataSize.ofMegabytes(16));
          assertThat(p.getMaxQueuedRequestSize()).isEqualTo(DataSize.ofMegabytes(64));
          assertThat(p.getMaxQueuedAnswerSize()).isEqualTo(DataSize.ofMegabytes(16));
          assertThat(p.isSendErq()).isTrue();
          assertThat(p.getServer().isEnabled()).isTrue();
          assertThat(p.getServer().getPort()).isNull();
          assertThat(p.getMetrics().getMaxTaggedConnections()).isEqualTo(100);
        });
  }

  /** Each of these would otherwise fail only when a connection opens, in a client's retry loop. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "packetstream.max-concurrent-requests=-1 | packetstream.max-concurrent-requests",
        "packetstream.max-queued-requests=-1     | packetstream.max-queued-requests",
        "packetstream.max-queued-request-size=-1B | packetstream.max-queued-request-size",
        "packetstream.max-queued-answer-size=0B | packetstream.max-queued-answer-size",
        "packetstream.max-pending-requests=0     | packetstream.max-pending-requests",
        "packetstream.max-frame-size=3GB         | packetstream.max-frame-size",
        "packetstream.request-timeout=-1s        | packetstream.request-timeout",
        "packetstream.close-timeout=-1s          | packetstream.close-timeout",
        "packetstream.packet-grace=-1ms          | packetstream.packet-grace",
        "packetstream.read-spin=2s               | packetstream.read-spin",
        "packetstream.clients.lazy.port=70000    | packetstream.clients.lazy.port",
        "packetstream.clients.lazy.connect-timeout=-1s | packetstream.clients.lazy.connect-timeout",
        "packetstream.clients.lazy.request-timeout=-1s | packetstream.clients.lazy.request-timeout",
        "packetstream.clients.lazy.reconnect.multiplier=0.5 | packetstream.clients.lazy.reconnect.multiplier",
        "packetstream.server.max-connections=0   | packetstream.server.max-connections",
        "packetstream.server.shutdown-timeout=-1s | packetstream.server.shutdown-timeout",
        "packetstream.server.port=70000          | packetstream.server.port",
        "packetstream.server.probe-interval=-1s  | packetstream.server.probe-interval",
        "packetstream.server.probe-timeout=0s    | packetstream.server.probe-timeout",
        "packetstream.clients.lazy.probe-interval=-1s | packetstream.clients.lazy.probe-interval",
        "packetstream.clients.lazy.probe-timeout=0 | packetstream.clients.lazy.probe-timeout"
      })
  void invalidValuesStopStartUpNamingTheProperty(String setting, String property) {
    runner
        .withConfiguration(
            AutoConfigurations.of(
                PacketStreamServerAutoConfiguration.class,
                PacketStreamClientsAutoConfiguration.class))
        .withPropertyValues(
            "packetstream.clients.lazy.host=127.0.0.1",
            "packetstream.clients.lazy.port=1",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.port=0")
        .withPropertyValues(setting)
        .run(context -> assertThat(invalidProperty(context).getName()).isEqualTo(property));
  }

  @Test
  void duplicateHandlersStopStartUpNamingBoth() {
    runner
        .withUserConfiguration(Duplicates.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              assertThat(failure)
                  .isInstanceOf(InvalidPacketHandlerException.class)
                  .hasMessageContaining("request type 1 on channel 0 has 2 handlers")
                  .hasMessageContaining("DuplicateA.one(")
                  .hasMessageContaining("DuplicateB.alsoOne(");
              FailureAnalysis analysis = new PacketHandlerFailureAnalyzer().analyze(failure);
              assertThat(analysis.getDescription())
                  .contains("DuplicateA.one(", "DuplicateB.alsoOne(");
              assertThat(analysis.getAction()).contains("exactly one @PacketHandler");
            });
  }

  @Test
  void unservableSignaturesStopStartUp() {
    runner
        .withUserConfiguration(Unservable.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .isInstanceOf(InvalidPacketHandlerException.class)
                  .hasMessageContaining("Bad.plainLong(long)")
                  .hasMessageContaining("annotate it @PacketFlags")
                  .hasMessageContaining("Bad.stringFlags(String)")
                  .hasMessageContaining("Bad.twoPayloads(byte[], String)")
                  .hasMessageContaining("more than one parameter takes the payload")
                  .hasMessageContaining("Bad.stageOfReply()")
                  .hasMessageContaining("a stage of a Reply cannot be served");
            });
  }

  @Test
  void staticAndProxyUnreachableMethodsAreStartUpProblems() {
    runner
        .withUserConfiguration(Uncallable.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              assertThat(failure)
                  .isInstanceOf(InvalidPacketHandlerException.class)
                  .hasMessageContaining("StaticHandler.atClassLevel(String)")
                  .hasMessageContaining("is static")
                  .hasMessageContaining("PrivateHandler.hidden(String)")
                  .hasMessageContaining("the bean is a proxy");
              FailureAnalysis analysis = new PacketHandlerFailureAnalyzer().analyze(failure);
              assertThat(analysis.getDescription())
                  .contains("StaticHandler.atClassLevel(String)", "PrivateHandler.hidden(String)");
            });
  }

  @Test
  void objectsNeedACodec() {
    runner
        .withClassLoader(new FilteredClassLoader(JsonMapper.class))
        .withUserConfiguration(NeedsCodec.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasMessageContaining("NeedsCodecHandler.json(Duration)")
                  .hasMessageContaining("needs a PayloadCodec bean");
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserCodec {
    @Bean
    PayloadCodec userCodec() {
      return new PayloadCodec() {
        @Override
        public Object decode(byte[] payload, Type type) {
          return null;
        }

        @Override
        public byte[] encode(Object value) {
          return new byte[0];
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserBuilders {
    @Bean
    PacketConnectionBuilders userBuilders() {
      return (role, name) -> io.packetstream.connection.PacketConnection.builder().name(name);
    }
  }

  static class DuplicateA {
    @PacketHandler(1)
    String one(String s) {
      return s;
    }
  }

  static class DuplicateB {
    @PacketHandler(1)
    String alsoOne(String s) {
      return s;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Duplicates {
    @Bean
    DuplicateA duplicateA() {
      return new DuplicateA();
    }

    @Bean
    DuplicateB duplicateB() {
      return new DuplicateB();
    }
  }

  static class Bad {
    @PacketHandler(1)
    void plainLong(long flags) {}

    @PacketHandler(2)
    void stringFlags(@PacketFlags String flags) {}

    @PacketHandler(3)
    void twoPayloads(byte[] a, String b) {}

    @PacketHandler(4)
    java.util.concurrent.CompletionStage<io.packetstream.connection.Reply> stageOfReply() {
      return null;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Unservable {
    @Bean
    Bad bad() {
      return new Bad();
    }
  }

  static class StaticHandler {
    @PacketHandler(1)
    static String atClassLevel(String s) {
      return s;
    }
  }

  static class PrivateHandler {
    @PacketHandler(2)
    private String hidden(String s) {
      return s;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Uncallable {
    @Bean
    StaticHandler staticHandler() {
      return new StaticHandler();
    }

    @Bean
    Object privateHandler() {
      org.springframework.aop.framework.ProxyFactory proxy =
          new org.springframework.aop.framework.ProxyFactory(new PrivateHandler());
      proxy.setProxyTargetClass(true);
      return proxy.getProxy();
    }
  }

  static class NeedsCodecHandler {
    @PacketHandler(1)
    void json(Duration notBytes) {}
  }

  @Configuration(proxyBeanMethods = false)
  static class NeedsCodec {
    @Bean
    NeedsCodecHandler needsCodecHandler() {
      return new NeedsCodecHandler();
    }
  }
}
