package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.client.ClientBeanRegistrar;
import io.packetstream.spring.client.ClientSpec;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.ssl.TlsMaterial;
import io.packetstream.spring.ssl.VerifyingSocketFactory;
import io.packetstream.transport.PacketClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * The named clients of {@code packetstream.clients.<name>}: a {@link PacketClients} registry and
 * one injectable {@link io.packetstream.spring.client.PacketStreamClient} bean per name.
 */
@AutoConfiguration(after = {PacketStreamAutoConfiguration.class, PacketStreamServerAutoConfiguration.class})
public final class PacketStreamClientsAutoConfiguration {

  /** Registers a bean per configured client; static, because it adds bean definitions. */
  @Bean
  static ClientBeanRegistrar packetStreamClientBeanRegistrar() {
    return new ClientBeanRegistrar(PacketStreamClientsAutoConfiguration.class);
  }

  /** Every named client, connected when the context starts. */
  @Bean
  @ConditionalOnMissingBean
  PacketClients packetClients(PacketStreamProperties properties, PacketConnectionBuilders builders,
      ObjectProvider<SslBundles> sslBundles) {
    List<ClientSpec> specs = new ArrayList<>();
    properties.getClients().forEach((name, c) -> specs.add(spec(name, c, sslBundles)));
    return new PacketClients(specs, builders);
  }

  /** Closes the clients on shutdown, after the server has drained. */
  @Bean
  static SmartLifecycle packetClientsCloser(ObjectProvider<PacketClients> clients) {
    // found when it stops, not injected: Spring stops a bean's dependents with it
    return PacketClients.closer(clients::getIfAvailable);
  }

  private static ClientSpec spec(String name, PacketStreamProperties.Client c,
      ObjectProvider<SslBundles> sslBundles) {
    ClientSpec.Connector connector;
    if (c.getUnixSocketPath() != null) {
      PropertyCheck.require(c.getSsl().getBundle() == null, "packetstream.clients." + name
          + ".ssl.bundle", c.getSsl().getBundle(), "TLS is not available over a Unix domain socket"
          + " (packetstream.clients." + name + ".unix-socket-path is set): remove one of the two");
      connector = b -> PacketClient.connect(c.getUnixSocketPath(), b);
    } else if (c.getPort() == null) {
      throw new IllegalStateException("packetstream.clients." + name
          + ": set port (with host) or unix-socket-path");
    } else {
      String prefix = "packetstream.clients." + name;
      PropertyCheck.require(c.getPort() >= 1 && c.getPort() <= 65535, prefix + ".port",
          c.getPort(), "a TCP port to connect to is 1 to 65535");
      Duration timeout = c.getConnectTimeout();
      PropertyCheck.require(timeout != null && !timeout.isNegative()
              && timeout.toMillis() <= Integer.MAX_VALUE, prefix + ".connect-timeout", timeout,
          "a connect timeout is 0 (none) or more, up to " + Integer.MAX_VALUE + " ms");
      String bundle = c.getSsl().getBundle();
      Duration handshake = c.getSsl().getHandshakeTimeout();
      PropertyCheck.require(handshake != null && !handshake.isNegative()
              && handshake.toMillis() <= Integer.MAX_VALUE, prefix + ".ssl.handshake-timeout",
          handshake, "a handshake timeout is 0 (none) or more, up to " + Integer.MAX_VALUE + " ms");
      VerifyingSocketFactory tls = bundle == null ? null
          : new VerifyingSocketFactory(TlsMaterial.of(sslBundles, bundle, prefix), handshake);
      connector = b -> {
        InetSocketAddress address = new InetSocketAddress(c.getHost(), c.getPort());
        return tls == null
            ? PacketClient.connect(address, c.getConnectTimeout(), b)
            : tls.connect(address, c.getConnectTimeout(), b);
      };
    }
    PacketStreamProperties.Reconnect r = c.getReconnect();
    ClientSpec.Backoff backoff = !r.isEnabled() ? null
        : PropertyCheck.make("packetstream.clients." + name + ".reconnect",
            r.getInitialDelay() + ", " + r.getMaxDelay() + ", x" + r.getMultiplier(),
            () -> new ClientSpec.Backoff(r.getInitialDelay(), r.getMaxDelay(), r.getMultiplier()));
    return new ClientSpec(name, connector, c.isFailFast(), backoff);
  }
}
