package io.packetstream.test.autoconfigure;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamProperties;
import io.packetstream.spring.autoconfigure.PacketStreamServerAutoConfiguration;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.transport.PacketClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * A {@link PacketStreamTester} bean that talks to the application: to its server over TCP, or with
 * {@code packetstream.test.transport=in-memory} over an in-memory pipe pair to a connection made as
 * the server makes its own. It connects on first use and is reset after each test method.
 */
@AutoConfiguration(
    after = {PacketStreamAutoConfiguration.class, PacketStreamServerAutoConfiguration.class})
@ConditionalOnBean(PacketConnectionBuilders.class)
public final class PacketStreamTesterAutoConfiguration {

  /**
   * With {@code packetstream.test.transport=in-memory}, the connector that serves the handlers over
   * pipes instead of a server.
   */
  @Bean
  @Conditional(InMemoryTransportCondition.class)
  @ConditionalOnMissingBean
  InMemoryConnector packetStreamInMemoryConnector(
      PacketStreamProperties properties, PacketConnectionBuilders builders) {
    return new InMemoryConnector(builders, properties.getServer().getName());
  }

  /** The tester bean: in memory when there is an in-memory connector, else over TCP. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamTester packetStreamTester(
      ObjectProvider<InMemoryConnector> inMemory,
      ObjectProvider<PacketStreamServer> server,
      ObjectProvider<PayloadCodec> codec) {
    PayloadCodec payloads = codec.getIfUnique();
    InMemoryConnector connector = inMemory.getIfAvailable();
    if (connector != null) {
      return PacketStreamTester.connecting(connector, payloads);
    }
    return PacketStreamTester.connecting(
        b -> PacketClient.connect(address(server), PacketClient.DEFAULT_CONNECT_TIMEOUT, b),
        payloads);
  }

  /** Whether the environment asks for {@code packetstream.test.transport=in-memory}. */
  static final class InMemoryTransportCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      TestTransport transport = TestTransport.of(context.getEnvironment());
      ConditionMessage.Builder message =
          ConditionMessage.forCondition("packetstream test transport");
      return transport == TestTransport.IN_MEMORY
          ? ConditionOutcome.match(message.because(TestTransport.PROPERTY + " is in-memory"))
          : ConditionOutcome.noMatch(message.because(TestTransport.PROPERTY + " is tcp"));
    }
  }

  /** Where the running server listens, for a client on this host. */
  private static InetSocketAddress address(ObjectProvider<PacketStreamServer> provider)
      throws IOException {
    PacketStreamServer server = provider.getIfAvailable();
    if (server == null) {
      throw new IOException(
          "there is no packetstream server in this context: set"
              + " packetstream.server.port (@PacketStreamTest sets 0), or"
              + " packetstream.test.transport=in-memory");
    }
    SocketAddress bound = server.server().map(s -> s.localAddress()).orElse(null);
    if (!(bound instanceof InetSocketAddress inet) || server.port() < 0) {
      throw new IOException(
          "the packetstream server "
              + server.name()
              + " is not listening on"
              + " TCP ("
              + (bound == null ? "not started" : bound)
              + "): the tester connects over"
              + " TCP or, with packetstream.test.transport=in-memory, in memory");
    }
    InetAddress host =
        inet.getAddress().isAnyLocalAddress()
            ? InetAddress.getLoopbackAddress()
            : inet.getAddress();
    return new InetSocketAddress(host, inet.getPort());
  }
}
