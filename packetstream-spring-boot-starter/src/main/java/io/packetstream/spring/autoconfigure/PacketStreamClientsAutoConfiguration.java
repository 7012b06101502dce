package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.ClientBeanRegistrar;
import io.packetstream.spring.client.ClientSpec;
import io.packetstream.spring.client.InstanceSource;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PeerInstance;
import io.packetstream.spring.client.ServiceResolver;
import io.packetstream.spring.context.Durations;
import io.packetstream.spring.context.PacketConnectionBuilders;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.spring.ssl.TlsMaterial;
import io.packetstream.spring.ssl.VerifyingSocketFactory;
import io.packetstream.transport.PacketClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The named clients of {@code packetstream.clients.<name>}: a {@link PacketClients} registry and
 * one injectable {@link io.packetstream.spring.client.PacketStreamClient} bean per name. A client
 * with {@code service-id} finds its instances through the {@link ServiceResolver} bean, which is
 * Spring Cloud's discovery when Spring Cloud Commons is on the class path.
 */
@AutoConfiguration(
    after = {PacketStreamAutoConfiguration.class, PacketStreamServerAutoConfiguration.class})
public final class PacketStreamClientsAutoConfiguration {

  /** Registers a bean per configured client; static, because it adds bean definitions. */
  @Bean
  static ClientBeanRegistrar packetStreamClientBeanRegistrar() {
    return new ClientBeanRegistrar(PacketStreamClientsAutoConfiguration.class);
  }

  /** Every named client, connected when the context starts. */
  @Bean
  @ConditionalOnMissingBean
  PacketClients packetClients(
      PacketStreamProperties properties,
      PacketConnectionBuilders builders,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<ServiceResolver> services,
      ObjectProvider<PayloadCodec> codec) {
    List<ClientSpec> specs = new ArrayList<>();
    properties.getClients().forEach((name, c) -> specs.add(spec(name, c, sslBundles, services)));
    return new PacketClients(specs, builders, codec.getIfAvailable());
  }

  /** Closes the clients on shutdown, after the server has drained. */
  @Bean
  static SmartLifecycle packetClientsCloser(ObjectProvider<PacketClients> clients) {
    // found when it stops, not injected: Spring stops a bean's dependents with it
    return PacketClients.closer(clients::getIfAvailable);
  }

  private static ClientSpec spec(
      String name,
      PacketStreamProperties.Client c,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<ServiceResolver> services) {
    String prefix = "packetstream.clients." + name;
    PropertyCheck.require(
        !(c.isOptional() && c.isReadiness()),
        prefix + ".readiness",
        true,
        "with "
            + prefix
            + ".optional=true the client is UNKNOWN while its peer is down, which the readiness"
            + " group passes over, so the application would stay ready without that peer: a peer"
            + " it cannot serve without is not optional; remove one of the two");
    boolean balanced = c.getServiceId() != null || !c.getAddresses().isEmpty();
    ClientSpec.Connector connector = null;
    ClientSpec.Balancing balancing = null;
    if (balanced) {
      PropertyCheck.require(
          c.getServiceId() == null || c.getAddresses().isEmpty(),
          prefix + ".addresses",
          c.getAddresses(),
          "a client takes either a service-id ("
              + c.getServiceId()
              + ") or addresses: remove one of the two");
      PropertyCheck.require(
          c.getPort() == null && c.getUnixSocketPath() == null,
          c.getPort() != null ? prefix + ".port" : prefix + ".unix-socket-path",
          c.getPort() != null ? c.getPort() : c.getUnixSocketPath(),
          "a client with "
              + (c.getServiceId() != null ? "service-id" : "addresses")
              + " connects to each instance: remove port and unix-socket-path");
      InstanceSource source;
      Duration refresh;
      if (c.getServiceId() != null) {
        ServiceResolver resolver = services.getIfAvailable();
        PropertyCheck.require(
            resolver != null,
            prefix + ".service-id",
            c.getServiceId(),
            "finding a service's instances needs Spring Cloud Commons (a DiscoveryClient) on the"
                + " class path or a ServiceResolver bean; or list them in "
                + prefix
                + ".addresses");
        source = resolver.resolve(c.getServiceId());
        refresh = c.getRefreshInterval();
        PropertyCheck.require(
            refresh != null && !refresh.isNegative() && !refresh.isZero(),
            prefix + ".refresh-interval",
            refresh,
            "instances are looked up again after a positive interval");
      } else {
        List<PeerInstance> fixed = new ArrayList<>();
        for (String a : c.getAddresses()) {
          fixed.add(PropertyCheck.make(prefix + ".addresses", a, () -> PeerInstance.parse(a)));
        }
        source = InstanceSource.fixed(fixed);
        refresh = Duration.ZERO;
      }
      Tcp tcp = tcp(prefix, c, sslBundles);
      balancing =
          new ClientSpec.Balancing(
              source,
              (instance, b) -> tcp.connect(instance.host(), instance.port(), b),
              c.getBalance(),
              refresh,
              c.getConnectTimeout().isZero()
                  ? PacketClient.DEFAULT_CONNECT_TIMEOUT
                  : c.getConnectTimeout());
    } else if (c.getUnixSocketPath() != null) {
      PropertyCheck.require(
          c.getPort() == null,
          prefix + ".unix-socket-path",
          c.getUnixSocketPath(),
          "a client connects to a Unix domain socket or to "
              + prefix
              + ".port, not both: remove one of the two");
      PropertyCheck.require(
          c.getSsl().getBundle() == null,
          "packetstream.clients." + name + ".ssl.bundle",
          c.getSsl().getBundle(),
          "TLS is not available over a Unix domain socket"
              + " (packetstream.clients."
              + name
              + ".unix-socket-path is set): remove one of the two");
      connector = b -> PacketClient.connect(c.getUnixSocketPath(), b);
    } else {
      PropertyCheck.requireSet(
          c.getPort() != null,
          prefix + ".port",
          "client '"
              + name
              + "' connects to a TCP port (on host, localhost by default), a Unix domain socket, or"
              + " the instances of a service",
          "Set "
              + prefix
              + ".port (and "
              + prefix
              + ".host), or "
              + prefix
              + ".unix-socket-path, or "
              + prefix
              + ".addresses or "
              + prefix
              + ".service-id; or remove the client.");
      PropertyCheck.require(
          c.getPort() >= 1 && c.getPort() <= 65535,
          prefix + ".port",
          c.getPort(),
          "a TCP port to connect to is 1 to 65535");
      String host = c.getHost();
      boolean oneColon =
          host != null && host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':');
      PropertyCheck.require(
          host != null && !host.isBlank() && !host.contains("/") && !oneColon,
          prefix + ".host",
          host,
          "a host name or address alone, without scheme or port (the"
              + " port is "
              + prefix
              + ".port); leave host out for localhost");
      Tcp tcp = tcp(prefix, c, sslBundles);
      connector = b -> tcp.connect(c.getHost(), c.getPort(), b);
    }
    StarterConnectionBuilders.probes(
        PacketConnection.builder(),
        "packetstream.clients." + name,
        c.getProbeInterval(),
        c.getProbeTimeout());
    PacketStreamProperties.Reconnect r = c.getReconnect();
    ClientSpec.Backoff backoff = r.isEnabled() ? backoff(prefix + ".reconnect", r) : null;
    Duration requestTimeout = c.getRequestTimeout();
    ClientSpec.Balancing spread = balancing;
    ClientSpec.Connector single = connector;
    // the spec checks the request timeout; its other rules hold here by construction
    return PropertyCheck.make(
        prefix + ".request-timeout",
        requestTimeout,
        () ->
            spread != null
                ? ClientSpec.balanced(name, spread, c.isFailFast(), backoff, requestTimeout)
                : new ClientSpec(name, single, c.isFailFast(), backoff, requestTimeout));
  }

  /** The back-off of {@code r}, each of its settings checked on its own property. */
  private static ClientSpec.Backoff backoff(String prefix, PacketStreamProperties.Reconnect r) {
    Duration initial = r.getInitialDelay();
    Duration max = r.getMaxDelay();
    PropertyCheck.require(
        initial != null && !initial.isNegative(),
        prefix + ".initial-delay",
        initial,
        "the first wait is 0 or more");
    PropertyCheck.require(
        max != null && max.compareTo(initial) >= 0,
        prefix + ".max-delay",
        max,
        "the longest wait is at least initial-delay (" + Durations.format(initial) + ")");
    PropertyCheck.require(
        r.getMultiplier() >= 1,
        prefix + ".multiplier",
        r.getMultiplier(),
        "each wait is the previous one times the multiplier, which is at least 1 (1 waits"
            + " initial-delay every time)");
    return new ClientSpec.Backoff(initial, max, r.getMultiplier());
  }

  /** Connects over TCP, or TLS with the client's bundle. */
  @FunctionalInterface
  private interface Tcp {
    PacketConnection connect(String host, int port, PacketConnection.Builder builder)
        throws IOException;
  }

  /** A client's TCP or TLS connector, its timeouts checked. */
  private static Tcp tcp(
      String prefix, PacketStreamProperties.Client c, ObjectProvider<SslBundles> sslBundles) {
    Duration timeout = c.getConnectTimeout();
    PropertyCheck.require(
        timeout != null && !timeout.isNegative() && timeout.toMillis() <= Integer.MAX_VALUE,
        prefix + ".connect-timeout",
        timeout,
        "a connect timeout is 0 (none) or more, up to " + Integer.MAX_VALUE + " ms");
    String bundle = c.getSsl().getBundle();
    Duration handshake = c.getSsl().getHandshakeTimeout();
    PropertyCheck.require(
        handshake != null && !handshake.isNegative() && handshake.toMillis() <= Integer.MAX_VALUE,
        prefix + ".ssl.handshake-timeout",
        handshake,
        "a handshake timeout is 0 (none) or more, up to " + Integer.MAX_VALUE + " ms");
    VerifyingSocketFactory tls =
        bundle == null
            ? null
            : new VerifyingSocketFactory(TlsMaterial.of(sslBundles, bundle, prefix), handshake);
    return (host, port, b) -> {
      InetSocketAddress address = new InetSocketAddress(host, port);
      return tls == null
          ? PacketClient.connect(address, timeout, b)
          : tls.connect(address, timeout, b);
    };
  }

  /**
   * Service discovery through Spring Cloud Commons, when it is on the class path: the {@link
   * ServiceResolver} over the application's {@code DiscoveryClient}, and a look-up again whenever
   * discovery announces a change (its {@code HeartbeatEvent} with a new value) or this application
   * registers ({@code InstanceRegisteredEvent}).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.cloud.client.discovery.DiscoveryClient")
  static class DiscoveryConfiguration {

    /** Instances of a service-id from the application's (composite) DiscoveryClient. */
    @Bean
    @ConditionalOnMissingBean
    ServiceResolver packetStreamServiceResolver(
        ObjectProvider<org.springframework.cloud.client.discovery.DiscoveryClient> discovery) {
      return serviceId -> new DiscoveryInstances(discovery, serviceId);
    }

    /** Balanced clients look up their instances again when discovery says they changed. */
    @Bean
    static DiscoveryRefresh packetStreamDiscoveryRefresh(ObjectProvider<PacketClients> clients) {
      return new DiscoveryRefresh(clients);
    }
  }
}
