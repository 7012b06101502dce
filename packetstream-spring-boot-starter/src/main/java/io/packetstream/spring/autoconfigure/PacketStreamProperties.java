package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.Balance;
import io.packetstream.spring.handler.PacketHandlers;
import io.packetstream.spring.ssl.ClientAuth;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.PacketCodec;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the packetstream starter, under {@code packetstream.*}: connection limits shared by
 * every connection, the server, the named clients and the metrics.
 */
@ConfigurationProperties("packetstream")
public class PacketStreamProperties {

  /** Time a connection's writer waits for more packets before it flushes; 0 writes at once. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration packetGrace = Duration.ZERO;

  /**
   * Time a busy connection's reader keeps polling its quiet socket before it sleeps, at most 1s;
   * some tens of microseconds make round trips several times faster for that much CPU time. Only
   * readers of busy connections poll, at most half the cores' worth at once. 0 never polls.
   */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration readSpin = Duration.ZERO;

  /**
   * Whether to report every packet sent or received to the activity tick (the original's
   * tick=True): by default to standard error, or to an ActivityTick bean.
   */
  private boolean tick = false;

  /** Maximum size of a frame accepted from a peer. */
  private DataSize maxFrameSize = DataSize.ofBytes(PacketCodec.DEFAULT_MAX_FRAME_LENGTH);

  /**
   * Maximum size of a frame sent to a peer: a larger request is refused before it is sent, a larger
   * answer is replaced by a not-ok "answer too large". Keep it at most the peers' max-frame-size.
   */
  private DataSize maxOutboundFrameSize = DataSize.ofBytes(PacketCodec.DEFAULT_MAX_FRAME_LENGTH);

  /**
   * Maximum number of values a handler's multi-value result (a Flux) may publish for one answer;
   * beyond it the subscription is cancelled and the request answered not-ok.
   */
  private int maxCollectedValues = PacketHandlers.DEFAULT_MAX_COLLECTED_VALUES;

  /**
   * Number of I/O threads of an event-loop group of the starter's own, which its connections over
   * plain sockets share, closed on shutdown; when unset, they use the JVM's shared group (one
   * thread per processor).
   */
  private Integer ioThreads;

  /**
   * Maximum number of a peer's requests whose handlers run at once on one connection. A handler
   * that answers later (a CompletableFuture, a Mono, a suspend function) frees its slot while its
   * answer is awaited, for up to max-queued-requests such requests.
   */
  private int maxConcurrentRequests = PacketConnection.Builder.DEFAULT_MAX_CONCURRENT_REQUESTS;

  /**
   * Maximum number of a peer's requests that wait for a free slot on one connection (more are
   * refused), and of those whose answers come later that wait without one.
   */
  private int maxQueuedRequests = PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUESTS;

  /**
   * Maximum size of the payloads of a peer's waiting requests on one connection; a request beyond
   * it is refused.
   */
  private DataSize maxQueuedRequestSize =
      DataSize.ofBytes(PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUEST_BYTES);

  /**
   * Maximum size of the answers the peer has not read yet that one connection holds; beyond it the
   * connection stops reading the peer until it catches up.
   */
  private DataSize maxQueuedAnswerSize =
      DataSize.ofBytes(PacketConnection.Builder.DEFAULT_MAX_QUEUED_ANSWER_BYTES);

  /** Maximum number of this end's requests that await answers at once on one connection. */
  private int maxPendingRequests = PacketConnection.Builder.DEFAULT_MAX_PENDING_REQUESTS;

  /** Time this end's requests wait for an answer; 0 waits for ever. */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration requestTimeout = Duration.ZERO;

  /** Time a graceful close of one connection may take before it is ended anyway. */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration closeTimeout = PacketConnection.Builder.DEFAULT_CLOSE_TIMEOUT;

  /** Whether closing sends ERQ before EOF; turn off for peers of release 20240412. */
  private boolean sendErq = true;

  /** Server that accepts peers. */
  private final Server server = new Server();

  /** Named connections to other peers; each becomes a PacketStreamClient bean. */
  private final Map<String, Client> clients = new LinkedHashMap<>();

  /** Micrometer meters of the connections. */
  private final Metrics metrics = new Metrics();

  public Duration getPacketGrace() {
    return packetGrace;
  }

  public void setPacketGrace(Duration packetGrace) {
    this.packetGrace = packetGrace;
  }

  public Duration getReadSpin() {
    return readSpin;
  }

  public void setReadSpin(Duration readSpin) {
    this.readSpin = readSpin;
  }

  public boolean isTick() {
    return tick;
  }

  public void setTick(boolean tick) {
    this.tick = tick;
  }

  public DataSize getMaxFrameSize() {
    return maxFrameSize;
  }

  public void setMaxFrameSize(DataSize maxFrameSize) {
    this.maxFrameSize = maxFrameSize;
  }

  public DataSize getMaxOutboundFrameSize() {
    return maxOutboundFrameSize;
  }

  public void setMaxOutboundFrameSize(DataSize maxOutboundFrameSize) {
    this.maxOutboundFrameSize = maxOutboundFrameSize;
  }

  public int getMaxCollectedValues() {
    return maxCollectedValues;
  }

  public void setMaxCollectedValues(int maxCollectedValues) {
    this.maxCollectedValues = maxCollectedValues;
  }

  public @Nullable Integer getIoThreads() {
    return ioThreads;
  }

  public void setIoThreads(@Nullable Integer ioThreads) {
    this.ioThreads = ioThreads;
  }

  public int getMaxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  public void setMaxConcurrentRequests(int maxConcurrentRequests) {
    this.maxConcurrentRequests = maxConcurrentRequests;
  }

  public int getMaxQueuedRequests() {
    return maxQueuedRequests;
  }

  public void setMaxQueuedRequests(int maxQueuedRequests) {
    this.maxQueuedRequests = maxQueuedRequests;
  }

  public DataSize getMaxQueuedRequestSize() {
    return maxQueuedRequestSize;
  }

  public void setMaxQueuedRequestSize(DataSize maxQueuedRequestSize) {
    this.maxQueuedRequestSize = maxQueuedRequestSize;
  }

  public DataSize getMaxQueuedAnswerSize() {
    return maxQueuedAnswerSize;
  }

  public void setMaxQueuedAnswerSize(DataSize maxQueuedAnswerSize) {
    this.maxQueuedAnswerSize = maxQueuedAnswerSize;
  }

  public int getMaxPendingRequests() {
    return maxPendingRequests;
  }

  public void setMaxPendingRequests(int maxPendingRequests) {
    this.maxPendingRequests = maxPendingRequests;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public void setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public boolean isSendErq() {
    return sendErq;
  }

  public void setSendErq(boolean sendErq) {
    this.sendErq = sendErq;
  }

  public Server getServer() {
    return server;
  }

  public Map<String, Client> getClients() {
    return clients;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  /** The server: it starts when a port or a Unix socket path is set. */
  public static class Server {

    /** Whether to run the server when a port or Unix socket path is set. */
    private boolean enabled = true;

    /** Network address to listen on; every interface when unset. */
    private @Nullable InetAddress address;

    /** TCP port to listen on; 0 picks a free one (see local.packetstream.server.port). */
    private @Nullable Integer port;

    /** Path of a Unix domain socket to listen on instead of a TCP port. */
    private @Nullable Path unixSocketPath;

    /** Name of the server, and the prefix of its connections' names. */
    private String name = "packetstream-server";

    /** Maximum number of peers connected at once; more are disconnected at once. */
    private int maxConnections = PacketServer.Builder.DEFAULT_MAX_CONNECTIONS;

    /**
     * Time a connection may carry nothing either way, with no request pending or running, before it
     * closes itself; 0 never closes an idle connection.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration idleTimeout = Duration.ZERO;

    /**
     * Time a peer may pause in the middle of a frame before its connection fails; 0 waits for ever.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration readTimeout = PacketConnection.Builder.DEFAULT_READ_TIMEOUT;

    /**
     * Time shutdown waits for connections to finish their running requests; below Spring's
     * spring.lifecycle.timeout-per-shutdown-phase (30s by default), so that the drain ends within
     * the shutdown phase.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration shutdownTimeout = Duration.ofSeconds(20);

    /**
     * How long a peer may send nothing before its connection asks it, with a liveness probe,
     * whether it is still there; 0 (default) never asks. Off because a quiet peer is not a broken
     * one (a watcher waits for callbacks), and the probes of the clients notice a lost server for
     * them. A bare number is seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration probeInterval = Duration.ZERO;

    /**
     * How long a liveness probe waits for its answer, or anything else from the peer, before the
     * connection fails. A bare number is seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration probeTimeout = PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT;

    /** TLS for the server. */
    private final ServerSsl ssl = new ServerSsl();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable InetAddress getAddress() {
      return address;
    }

    public void setAddress(@Nullable InetAddress address) {
      this.address = address;
    }

    public @Nullable Integer getPort() {
      return port;
    }

    public void setPort(@Nullable Integer port) {
      this.port = port;
    }

    public @Nullable Path getUnixSocketPath() {
      return unixSocketPath;
    }

    public void setUnixSocketPath(@Nullable Path unixSocketPath) {
      this.unixSocketPath = unixSocketPath;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getReadTimeout() {
      return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
      this.readTimeout = readTimeout;
    }

    public int getMaxConnections() {
      return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getProbeInterval() {
      return probeInterval;
    }

    public void setProbeInterval(Duration probeInterval) {
      this.probeInterval = probeInterval;
    }

    public Duration getProbeTimeout() {
      return probeTimeout;
    }

    public void setProbeTimeout(Duration probeTimeout) {
      this.probeTimeout = probeTimeout;
    }

    public ServerSsl getSsl() {
      return ssl;
    }
  }

  /** One named connection to a peer. */
  public static class Client {

    /** Host name or address of the peer. */
    private String host = "localhost";

    /** TCP port of the peer. */
    private @Nullable Integer port;

    /** Path of a Unix domain socket to connect to instead of host and port. */
    private @Nullable Path unixSocketPath;

    /** Time a TCP connect may take. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration connectTimeout = PacketClient.DEFAULT_CONNECT_TIMEOUT;

    /**
     * Whether start-up fails when the first connect fails; otherwise the client keeps trying in the
     * background and its health is DOWN meanwhile.
     */
    private boolean failFast = false;

    /**
     * Whether the application works without this peer: while it is disconnected, its health is
     * UNKNOWN instead of DOWN, so that it does not take the application's health down.
     */
    private boolean optional;

    /**
     * How long the peer may send nothing before the client asks it, with a liveness probe, whether
     * it is still there; 0 never asks. A peer that answers anything, even the Python original's
     * refusal of the probe's unknown request type, is alive; one that does not within probe-timeout
     * fails the connection, and the client reconnects. This notices a peer lost without a word (a
     * host gone, a NAT that forgot the connection) within about 40s with the defaults instead of
     * TCP's hours, for one tiny request per quiet 30s. A bare number is seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration probeInterval = Duration.ofSeconds(30);

    /**
     * How long a liveness probe waits for its answer, or anything else from the peer, before the
     * connection fails; longer than the peer may take to answer when all its handlers are busy (a
     * Python peer answers after its 4 running handlers). A bare number is seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration probeTimeout = PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT;

    /**
     * How long typed calls and exchange methods of this client wait for an answer when the call
     * names no timeout. 0 leaves it to packetstream.request-timeout. A bare number is seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration requestTimeout = Duration.ZERO;

    /**
     * Interfaces of @PacketExchange methods that call this client's peer; each becomes a bean
     * qualified by the client's name.
     */
    private List<Class<?>> exchanges = new ArrayList<>();

    /**
     * Whether the application is ready for traffic only while this client is connected: its health
     * joins the readiness group (/actuator/health/readiness), when there is one (Boot's probes are
     * enabled, or management.endpoint.health.group.readiness is defined).
     */
    private boolean readiness;

    /**
     * Time the connection may carry nothing either way, with no request pending or running, before
     * it closes itself, after which the client reconnects as after any loss (see reconnect); 0
     * never closes an idle connection.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration idleTimeout = Duration.ZERO;

    /**
     * Time the peer may pause in the middle of a frame before the connection fails; 0 waits for
     * ever.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration readTimeout = PacketConnection.Builder.DEFAULT_READ_TIMEOUT;

    /** TLS for the connection. */
    private final Ssl ssl = new Ssl();

    /** Reconnecting after the connection is lost. */
    private final Reconnect reconnect = new Reconnect();

    /**
     * Service whose instances to spread requests over, one connection each, found through service
     * discovery (Spring Cloud's DiscoveryClient); instead of host and port.
     */
    private String serviceId;

    /**
     * Instances (host:port) to spread requests over, one connection each; instead of host and port,
     * without service discovery.
     */
    private List<String> addresses = new ArrayList<>();

    /** How a request's instance is picked, with service-id or addresses. */
    private Balance balance = Balance.ROUND_ROBIN;

    /**
     * How often a service-id's instances are looked up again; connections open and close to match.
     * Discovery heartbeats look them up sooner.
     */
    private Duration refreshInterval = Duration.ofSeconds(10);

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public @Nullable Integer getPort() {
      return port;
    }

    public void setPort(@Nullable Integer port) {
      this.port = port;
    }

    public @Nullable Path getUnixSocketPath() {
      return unixSocketPath;
    }

    public void setUnixSocketPath(@Nullable Path unixSocketPath) {
      this.unixSocketPath = unixSocketPath;
    }

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    public boolean isOptional() {
      return optional;
    }

    public void setOptional(boolean optional) {
      this.optional = optional;
    }

    public boolean isReadiness() {
      return readiness;
    }

    public void setReadiness(boolean readiness) {
      this.readiness = readiness;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getReadTimeout() {
      return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
      this.readTimeout = readTimeout;
    }

    public boolean isFailFast() {
      return failFast;
    }

    public void setFailFast(boolean failFast) {
      this.failFast = failFast;
    }

    public Duration getProbeInterval() {
      return probeInterval;
    }

    public void setProbeInterval(Duration probeInterval) {
      this.probeInterval = probeInterval;
    }

    public Duration getProbeTimeout() {
      return probeTimeout;
    }

    public void setProbeTimeout(Duration probeTimeout) {
      this.probeTimeout = probeTimeout;
    }

    public Duration getRequestTimeout() {
      return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
    }

    public List<Class<?>> getExchanges() {
      return exchanges;
    }

    public void setExchanges(List<Class<?>> exchanges) {
      this.exchanges = exchanges;
    }

    public Ssl getSsl() {
      return ssl;
    }

    public Reconnect getReconnect() {
      return reconnect;
    }

    public String getServiceId() {
      return serviceId;
    }

    public void setServiceId(String serviceId) {
      this.serviceId = serviceId;
    }

    public List<String> getAddresses() {
      return addresses;
    }

    public void setAddresses(List<String> addresses) {
      this.addresses = addresses;
    }

    public Balance getBalance() {
      return balance;
    }

    public void setBalance(Balance balance) {
      this.balance = balance;
    }

    public Duration getRefreshInterval() {
      return refreshInterval;
    }

    public void setRefreshInterval(Duration refreshInterval) {
      this.refreshInterval = refreshInterval;
    }
  }

  /** TLS through one of the application's SSL bundles. */
  public static class Ssl {

    /** Name of the SSL bundle (spring.ssl.bundle.*) to use; plain TCP when unset. */
    private @Nullable String bundle;

    /**
     * Time the peer has to complete the TLS handshake before the connection is dropped. The server
     * needs more than 0; a client's 0 waits without limit.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration handshakeTimeout = PacketServer.Builder.DEFAULT_HANDSHAKE_TIMEOUT;

    public @Nullable String getBundle() {
      return bundle;
    }

    public void setBundle(@Nullable String bundle) {
      this.bundle = bundle;
    }

    public Duration getHandshakeTimeout() {
      return handshakeTimeout;
    }

    public void setHandshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = handshakeTimeout;
    }
  }

  /** TLS for the server: also whether peers must show a certificate. */
  public static class ServerSsl extends Ssl {

    /** Whether to ask peers for a certificate the bundle's trust store trusts (mutual TLS). */
    private ClientAuth clientAuth = ClientAuth.NONE;

    public ClientAuth getClientAuth() {
      return clientAuth;
    }

    public void setClientAuth(ClientAuth clientAuth) {
      this.clientAuth = clientAuth;
    }
  }

  /** Exponential back-off between connect attempts. */
  public static class Reconnect {

    /** Whether to reconnect after the connection is lost or a connect fails. */
    private boolean enabled = true;

    /** Time to wait before the first retry. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration initialDelay = Duration.ofMillis(200);

    /** Maximum time to wait between retries. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration maxDelay = Duration.ofSeconds(30);

    /** Factor the wait grows by after each failed attempt; at least 1. */
    private double multiplier = 2.0;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInitialDelay() {
      return initialDelay;
    }

    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    public double getMultiplier() {
      return multiplier;
    }

    public void setMultiplier(double multiplier) {
      this.multiplier = multiplier;
    }
  }

  /** Meters of the connections. */
  public static class Metrics {

    /** Whether to record packetstream meters when Micrometer is present. */
    private boolean enabled = true;

    /**
     * Whether connections get meters of their own, tagged with the connection's name, besides those
     * of their server or client. Off by default: connection names grow without end.
     */
    private boolean perConnection;

    /**
     * Maximum number of connections of the server (or of a client) with per-connection meters of
     * their own at a time; the rest share meters tagged connection=aggregate, so that a busy server
     * cannot flood the registry.
     */
    private int maxTaggedConnections = 100;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isPerConnection() {
      return perConnection;
    }

    public void setPerConnection(boolean perConnection) {
      this.perConnection = perConnection;
    }

    public int getMaxTaggedConnections() {
      return maxTaggedConnections;
    }

    public void setMaxTaggedConnections(int maxTaggedConnections) {
      this.maxTaggedConnections = maxTaggedConnections;
    }
  }
}
