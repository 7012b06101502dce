package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.ssl.TlsMaterial;
import io.packetstream.spring.ssl.TlsServerSocketFactory;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.transport.PacketServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * The server, when {@code packetstream.server.port} or {@code packetstream.server.unix-socket-path}
 * is set (and {@code packetstream.server.enabled} is not false): TCP, TLS through an SSL bundle,
 * or a Unix domain socket. Its port is published as {@code local.packetstream.server.port}.
 */
@AutoConfiguration(after = PacketStreamAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "packetstream.server.enabled", matchIfMissing = true)
@Conditional(PacketStreamServerAutoConfiguration.ListenAddressCondition.class)
public final class PacketStreamServerAutoConfiguration {

  /** The property that holds the port the server got, as Boot does for its other servers. */
  public static final String LOCAL_PORT_PROPERTY = "local.packetstream.server.port";

  /** The server as a lifecycle bean. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamServer packetStreamServer(PacketStreamProperties properties,
      PacketConnectionBuilders builders, ObjectProvider<SslBundles> sslBundles,
      ConfigurableApplicationContext context) {
    PacketStreamProperties.Server s = properties.getServer();
    String bundle = s.getSsl().getBundle();
    check(s);
    TlsMaterial tls = bundle == null || s.getUnixSocketPath() != null ? null
        : TlsMaterial.of(sslBundles, bundle, "packetstream.server");
    PropertyCheck.require(tls == null
            || sslBundles.getObject().getBundle(bundle).getStores().getKeyStore() != null,
        "packetstream.server.ssl.bundle", bundle, "a server presents its certificate and key,"
            + " but SSL bundle '" + bundle + "' has no key store (set spring.ssl.bundle.pem."
            + bundle + ".keystore or spring.ssl.bundle.jks." + bundle + ".keystore)");
    return new PacketStreamServer(s.getName(), () -> {
      PacketServer.Builder b = PacketServer.builder(builders.builder(ConnectionRole.SERVER, s.getName()))
          .name(s.getName())
          .maxConnections(s.getMaxConnections())
          .shutdownTimeout(s.getShutdownTimeout());
      if (s.getUnixSocketPath() != null) {
        return b.bind(s.getUnixSocketPath());
      }
      if (tls != null) {
        b.socketFactory(new TlsServerSocketFactory(tls, s.getSsl().getClientAuth(),
            s.getSsl().getHandshakeTimeout()));
      }
      int port = s.getPort() == null ? 0 : s.getPort();
      InetSocketAddress address = s.getAddress() == null
          ? new InetSocketAddress(port)
          : new InetSocketAddress(s.getAddress(), port);
      return b.bind(address);
    }, port -> publishPort(context.getEnvironment(), port));
  }

  /** Fails at start-up, naming the property, for a setting the server would refuse when it binds. */
  private static void check(PacketStreamProperties.Server s) {
    PacketServer.Builder b = PacketServer.builder(PacketConnection.builder());
    StarterConnectionBuilders.probes(PacketConnection.builder(), "packetstream.server",
        s.getProbeInterval(), s.getProbeTimeout());
    PropertyCheck.require(s.getName() != null && !s.getName().isBlank(), "packetstream.server.name",
        s.getName(), "the server's name, in logs, health and meter tags, is not blank");
    PropertyCheck.apply("packetstream.server.max-connections", s.getMaxConnections(),
        () -> b.maxConnections(s.getMaxConnections()));
    PropertyCheck.apply("packetstream.server.shutdown-timeout", s.getShutdownTimeout(),
        () -> b.shutdownTimeout(s.getShutdownTimeout()));
    Duration handshake = s.getSsl().getHandshakeTimeout();
    PropertyCheck.require(handshake != null && !handshake.isNegative()
            && handshake.toMillis() <= Integer.MAX_VALUE, "packetstream.server.ssl.handshake-timeout",
        handshake, "a handshake timeout is 0 (none) or more, up to " + Integer.MAX_VALUE + " ms");
    PropertyCheck.require(s.getUnixSocketPath() == null || s.getSsl().getBundle() == null,
        "packetstream.server.ssl.bundle", s.getSsl().getBundle(), "TLS is not available on a"
            + " Unix domain socket (packetstream.server.unix-socket-path is set): remove one of"
            + " the two");
    PropertyCheck.require(s.getUnixSocketPath() == null || s.getPort() == null,
        "packetstream.server.unix-socket-path", s.getUnixSocketPath(), "the server listens on a"
            + " Unix domain socket or on packetstream.server.port, not both: remove one of the two");
    if (s.getUnixSocketPath() == null) {
      Integer port = s.getPort();
      PropertyCheck.require(port == null || (port >= 0 && port <= 65535),
          "packetstream.server.port", port, "a TCP port is 0 (any free one) to 65535");
    }
  }

  private static void publishPort(ConfigurableEnvironment environment, int port) {
    MutablePropertySources sources = environment.getPropertySources();
    PropertySource<?> existing = sources.get("server.ports");
    if (existing instanceof MapPropertySource map) {
      map.getSource().put(LOCAL_PORT_PROPERTY, port);
    } else {
      Map<String, Object> ports = new HashMap<>();
      ports.put(LOCAL_PORT_PROPERTY, port);
      sources.addFirst(new MapPropertySource("server.ports", ports));
    }
  }

  /** A port or a Unix socket path is set. */
  static class ListenAddressCondition extends AnyNestedCondition {

    ListenAddressCondition() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty("packetstream.server.port")
    static class Port {}

    @ConditionalOnProperty("packetstream.server.unix-socket-path")
    static class UnixSocket {}
  }
}
