package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.Durations;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.context.PacketServerCustomizer;
import io.packetstream.spring.context.PacketServerFactory;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.ssl.TlsMaterial;
import io.packetstream.spring.ssl.TlsServerSocketFactory;
import io.packetstream.transport.PacketServer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * The server, when {@code packetstream.server.port} or {@code packetstream.server.unix-socket-path}
 * is set (and {@code packetstream.server.enabled} is not false): TCP, TLS through an SSL bundle, or
 * a Unix domain socket, made by a {@link PacketServerFactory} that {@link PacketServerCustomizer}
 * beans adjust. When it listens, a {@link
 * io.packetstream.spring.context.PacketServerInitializedEvent} is published (and its port as {@code
 * local.packetstream.server.port}).
 */
@AutoConfiguration(after = PacketStreamAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "packetstream.server.enabled", matchIfMissing = true)
@Conditional(PacketStreamServerAutoConfiguration.ListenAddressCondition.class)
public final class PacketStreamServerAutoConfiguration {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(PacketStreamServerAutoConfiguration.class);

  /** Spring Boot's default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
  private static final Duration DEFAULT_SHUTDOWN_PHASE = Duration.ofSeconds(30);

  /** The factory of the core server, with {@code packetstream.server.*} and the customizers. */
  @Bean
  @ConditionalOnMissingBean
  PacketServerFactory packetServerFactory(
      PacketStreamProperties properties,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<PacketServerCustomizer> customizers,
      Environment environment) {
    PacketStreamProperties.Server s = properties.getServer();
    check(s);
    warnIfTheDrainMayOutlastThePhase(s.getShutdownTimeout(), environment);
    String bundle = s.getSsl().getBundle();
    TlsMaterial material = null;
    if (bundle != null && s.getUnixSocketPath() == null) {
      // made once: every accepted peer shares this material until the bundle is updated
      material = TlsMaterial.of(sslBundles, bundle, "packetstream.server");
      PropertyCheck.require(
          sslBundles.getObject().getBundle(bundle).getStores().getKeyStore() != null,
          "packetstream.server.ssl.bundle",
          bundle,
          "a server presents its certificate and key,"
              + " but SSL bundle '"
              + bundle
              + "' has no key store (set spring.ssl.bundle.pem."
              + bundle
              + ".keystore or spring.ssl.bundle.jks."
              + bundle
              + ".keystore)");
    }
    PacketServerFactory factory = new PacketServerFactory();
    PropertyMapper map = PropertyMapper.get();
    map.from(s::getName).to(factory::setName);
    map.from(s::getAddress).to(factory::setAddress);
    map.from(s::getPort).to(factory::setPort);
    map.from(s::getUnixSocketPath).to(factory::setUnixSocketPath);
    map.from(s::getMaxConnections).to(factory::setMaxConnections);
    map.from(s::getShutdownTimeout).to(factory::setShutdownTimeout);
    map.from(s.getSsl()::getHandshakeTimeout).to(factory::setHandshakeTimeout);
    if (material != null) {
      factory.setSocketFactory(new TlsServerSocketFactory(material, s.getSsl().getClientAuth()));
    }
    factory.addServerCustomizers(
        customizers.orderedStream().toArray(PacketServerCustomizer[]::new));
    return factory;
  }

  /** The server as a lifecycle bean, bound by the factory when the context starts. */
  @Bean
  @ConditionalOnMissingBean
  PacketStreamServer packetStreamServer(
      PacketStreamProperties properties,
      PacketServerFactory factory,
      PacketConnectionBuilders builders,
      ApplicationEventPublisher events) {
    String name = properties.getServer().getName();
    return new PacketStreamServer(
        name, () -> factory.create(builders.builder(ConnectionRole.SERVER, name)), events);
  }

  /** New peers are turned away while the application's readiness refuses traffic. */
  @Bean
  static ServerReadinessGate packetStreamServerReadinessGate() {
    return new ServerReadinessGate();
  }

  /**
   * Warns when the drain may go on after Spring's shutdown phase ends: stopped by a signal, the JVM
   * exits then, cutting off the requests still running without the drain's own warning.
   */
  private static void warnIfTheDrainMayOutlastThePhase(Duration drain, Environment environment) {
    Duration phase =
        Binder.get(environment)
            .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
            .orElse(DEFAULT_SHUTDOWN_PHASE);
    if (drain.compareTo(phase) >= 0) {
      LOG.log(
          Level.WARNING,
          "packetstream.server.shutdown-timeout ("
              + Durations.format(drain)
              + ") is not below spring.lifecycle.timeout-per-shutdown-phase ("
              + Durations.format(phase)
              + "): stopped by a signal, the application exits when the phase ends, cutting off"
              + " the requests its peers still run; set the shutdown timeout below the phase's");
    }
  }

  /**
   * Fails at start-up, naming the property, for a setting the server would refuse when it binds.
   */
  private static void check(PacketStreamProperties.Server s) {
    PacketServer.Builder b = PacketServer.builder(PacketConnection.builder());
    StarterConnectionBuilders.probes(
        PacketConnection.builder(),
        "packetstream.server",
        s.getProbeInterval(),
        s.getProbeTimeout());
    PropertyCheck.require(
        s.getName() != null && !s.getName().isBlank(),
        "packetstream.server.name",
        s.getName(),
        "the server's name, in logs, health and meter tags, is not blank");
    PropertyCheck.apply(
        "packetstream.server.max-connections",
        s.getMaxConnections(),
        () -> b.maxConnections(s.getMaxConnections()));
    PropertyCheck.apply(
        "packetstream.server.shutdown-timeout",
        s.getShutdownTimeout(),
        () -> b.shutdownTimeout(s.getShutdownTimeout()));
    PropertyCheck.apply(
        "packetstream.server.ssl.handshake-timeout",
        s.getSsl().getHandshakeTimeout(),
        () -> b.handshakeTimeout(s.getSsl().getHandshakeTimeout()));
    PropertyCheck.require(
        s.getUnixSocketPath() == null || s.getSsl().getBundle() == null,
        "packetstream.server.ssl.bundle",
        s.getSsl().getBundle(),
        "TLS is not available on a"
            + " Unix domain socket (packetstream.server.unix-socket-path is set): remove one of"
            + " the two");
    PropertyCheck.require(
        s.getUnixSocketPath() == null || s.getPort() == null,
        "packetstream.server.unix-socket-path",
        s.getUnixSocketPath(),
        "the server listens on a"
            + " Unix domain socket or on packetstream.server.port, not both: remove one of the two");
    if (s.getUnixSocketPath() == null) {
      Integer port = s.getPort();
      PropertyCheck.require(
          port == null || (port >= 0 && port <= 65535),
          "packetstream.server.port",
          port,
          "a TCP port is 0 (any free one) to 65535");
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
