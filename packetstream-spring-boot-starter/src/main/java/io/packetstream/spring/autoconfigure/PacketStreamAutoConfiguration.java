package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.PacketExchangeProxyFactory;
import io.packetstream.spring.context.ActivityTick;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.handler.PayloadCodec;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import tools.jackson.databind.json.JsonMapper;

/**
 * The core of the starter: {@code @PacketHandler} discovery, the payload codec, and the connection
 * builders the server and the clients share.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@EnableConfigurationProperties(PacketStreamProperties.class)
public final class PacketStreamAutoConfiguration {

  /** The names of the threads of {@code packetstream.io-threads}, before their number. */
  static final String IO_THREAD_NAME = "packetstream-spring-io";

  /**
   * Fails at start-up on a renamed property, which would otherwise be silently ignored; tells
   * Reactor, when present, that the event loops must not block.
   */
  PacketStreamAutoConfiguration(Environment environment) {
    RenamedProperties.check(environment);
    ReactorBlockingCheck.register();
  }

  /** Finds the {@code @PacketHandler} methods; static, because it post-processes beans. */
  @Bean
  @ConditionalOnMissingBean
  static PacketHandlers packetHandlers(
      ObjectProvider<PayloadCodec> codec, Environment environment) {
    // bound here, not injected: a post-processor comes before the properties bean
    int maxCollectedValues =
        Binder.get(environment)
            .bind("packetstream.max-collected-values", Integer.class)
            .orElse(PacketHandlers.DEFAULT_MAX_COLLECTED_VALUES);
    // refused as a property, with Boot's failure analysis, not as a bean that failed
    return PropertyCheck.make(
        "packetstream.max-collected-values",
        maxCollectedValues,
        () -> new PacketHandlers(codec, maxCollectedValues));
  }

  /** Builders for every connection of the starter. */
  @Bean
  @ConditionalOnMissingBean
  PacketConnectionBuilders packetConnectionBuilders(
      PacketStreamProperties properties,
      PacketHandlers handlers,
      ObjectProvider<ActivityTick> tick,
      ObjectProvider<PacketConnectionCustomizer> customizers,
      ObjectProvider<EventLoopGroup> eventLoops,
      Environment environment) {
    // not an Executor bean: that would turn off Boot's own applicationTaskExecutor
    Executor executor;
    if (Threading.VIRTUAL.isActive(environment)) {
      executor = new VirtualThreadTaskExecutor("packetstream-handler-");
    } else if (Boolean.FALSE.equals(
        environment.getProperty("spring.threads.virtual.enabled", Boolean.class))) {
      // said no to virtual threads: platform ones, even where the core would use virtual ones
      executor = PacketConnection.platformHandlerExecutor();
    } else {
      executor = null;
    }
    // fail now for a limit no connection would accept, naming its property
    StarterConnectionBuilders.limits(properties);
    StarterConnectionBuilders.checkTimeouts(properties);
    return new StarterConnectionBuilders(
        properties, handlers, executor, tick, customizers, eventLoops.getIfUnique());
  }

  /**
   * The I/O threads of the starter's connections, when {@code packetstream.io-threads} is set;
   * closed when the context closes, after the server and the clients have stopped.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty("packetstream.io-threads")
  @ConditionalOnMissingBean
  EventLoopGroup packetStreamEventLoopGroup(PacketStreamProperties properties) {
    Integer threads = properties.getIoThreads();
    return PropertyCheck.make(
        "packetstream.io-threads", threads, () -> EventLoopGroup.create(IO_THREAD_NAME, threads));
  }

  /**
   * Makes the proxies of @PacketExchange interfaces, with the application's codec: for clients, and
   * for a handler that calls its own peer back over the request's connection.
   */
  @Bean
  @ConditionalOnMissingBean
  PacketExchangeProxyFactory packetExchangeProxyFactory(ObjectProvider<PayloadCodec> codec) {
    return new PacketExchangeProxyFactory(codec.getIfAvailable());
  }

  /** Publishes connection events to the application. */
  @Bean
  PacketConnectionCustomizer packetConnectionEvents(ApplicationEventPublisher publisher) {
    return new ConnectionEventPublisher(publisher);
  }

  /** JSON payloads through the application's Jackson mapper, when Jackson is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JsonMapper.class)
  static class JacksonCodecConfiguration {

    @Bean
    @ConditionalOnMissingBean(PayloadCodec.class)
    JacksonPayloadCodec jacksonPayloadCodec(ObjectProvider<JsonMapper> mapper) {
      return new JacksonPayloadCodec(mapper.getIfAvailable(JsonMapper::new));
    }
  }
}
