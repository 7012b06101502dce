package io.packetstream.transport;

import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * Listens for packetstream peers on a TCP port (plain or TLS) or a Unix domain socket, and opens a
 * {@link PacketConnection} for each one that connects, with the settings of a connection builder.
 *
 * <pre>{@code
 * PacketServer server = PacketServer.builder(PacketConnection.builder().handler(myHandler))
 *     .bind(new InetSocketAddress("127.0.0.1", 0));
 * int port = server.port();
 * ...
 * server.close(); // stops accepting, closes every connection gracefully
 * }</pre>
 *
 * <p>The server tracks its live connections; a connection leaves the set when it ends. At most
 * {@link Builder#maxConnections} are open at once, TLS peers still in their handshake included: a
 * peer beyond that is disconnected at once.
 *
 * <p>Threads. One accept thread per server ({@code NAME acceptor}) accepts peers. A failure to
 * accept or to open a connection, whatever is thrown, pauses that thread (10 ms, doubling to 1 s,
 * while the failures last) and is logged once per run of failures, not once per attempt; only
 * {@link #close()} ends it. Plain TCP, Unix-socket and {@link
 * Builder#tls(java.util.function.Supplier) tls(...)} connections run on the connection builder's
 * event loops and hold no thread of their own; the accept thread opens each, which never waits for
 * the peer, and a {@code tls(...)} peer's handshake runs on the loop within {@link
 * Builder#handshakeTimeout}. With {@link Builder#socketFactory} ({@code SSLSocket}s), each
 * connection has a reader and a writer thread, and a peer's handshake runs on a thread of its own
 * ({@code NAME TLS handshake}, made on demand and kept 30 s when idle), so that a peer that stalls
 * in it holds up nobody else; one timer thread ({@code NAME TLS handshake timer}) drops a peer
 * whose handshake outlasts the timeout, and the handshake thread then opens the connection. {@link
 * #close()} closes the connections in parallel on short-lived threads.
 *
 * <p>A connection's {@link io.packetstream.connection.TrafficListener#connectionOpened} listeners
 * run on the thread that opens it, under a lock that {@link #close()} and {@link #abort()} take
 * too: a listener that waits for another thread's close or abort of this server waits forever.
 */
public final class PacketServer implements AutoCloseable {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(PacketServer.class);
  private static final AtomicLong SERVERS = new AtomicLong();

  /**
   * How much longer than the server's shutdown timeout its connections' closes may run: the
   * server's own deadline ends them first, saying how many requests it cut off.
   */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

  private static final ThreadLocal<PacketServer> SERVING = new ThreadLocal<>();

  private final String name;
  private final PacketConnection.Builder connections;
  private final int maxConnections;
  private final Duration shutdownTimeout;
  private final Duration handshakeTimeout;
  private final java.util.function.Supplier<javax.net.ssl.SSLEngine> tlsEngines;
  private final Closeable listener;
  private final SocketAddress localAddress;
  private final Path unixPath;
  private final Set<PacketConnection> live = ConcurrentHashMap.newKeySet();

  /** TLS peers in their handshake: they hold places of {@link #maxConnections} too. */
  private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();

  private final ThreadPoolExecutor handshakes;
  private final ScheduledThreadPoolExecutor handshakeDeadlines;
  private final AtomicLong accepted = new AtomicLong();
  private final CountDownLatch acceptorDone = new CountDownLatch(1);
  private final CountDownLatch stopping = new CountDownLatch(1);

  /** The accept loop's failures in a row; also the lock for {@link #resumeAt}. */
  private final Backoff backoff = new Backoff();

  /** When the accept loop may accept again after a failure ({@link System#nanoTime()}). */
  private long resumeAt;

  private boolean pausing;

  /** Refusals at maxConnections since the last report; also the lock for the report's time. */
  private final AtomicLong refused = new AtomicLong();

  private long refusalReportedAt;
  private boolean refusalReported;
  private volatile boolean listening = true;

  /**
   * Orders opening a connection against {@link #close()}: {@code listening} turns false under it,
   * and a connection is opened and listed under it only while listening, so each connection is in
   * the list close() takes (and is closed gracefully) or is never opened.
   */
  private final Object admission = new Object();

  /** For tests: runs on the thread that opened a connection, right after it opened. */
  private volatile Consumer<PacketConnection> afterOpen = c -> {};

  /** Asked as each peer connects: false disconnects it before anything is read. */
  private final BooleanSupplier admitting;

  private PacketServer(Builder b, Closeable listener, SocketAddress localAddress, Path unixPath) {
    this.name = b.name != null ? b.name : "packetstream-server-" + SERVERS.incrementAndGet();
    this.admitting = b.admitting;
    this.connections = b.connections.copy();
    this.maxConnections = b.maxConnections;
    this.shutdownTimeout = b.shutdownTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.tlsEngines = b.tlsEngines;
    // no thread starts until a TLS peer comes
    this.handshakes =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            threads("TLS handshake"));
    this.handshakeDeadlines = new ScheduledThreadPoolExecutor(1, threads("TLS handshake timer"));
    handshakeDeadlines.setKeepAliveTime(30, TimeUnit.SECONDS);
    handshakeDeadlines.allowCoreThreadTimeOut(true);
    handshakeDeadlines.setRemoveOnCancelPolicy(true);
    this.listener = listener;
    this.localAddress = localAddress;
    this.unixPath = unixPath;
  }

  /**
   * {@code task}, marking the thread that runs it as this server's, which close() must not block.
   */
  private Runnable serving(Runnable task) {
    return () -> {
      SERVING.set(this);
      task.run();
    };
  }

  private ThreadFactory threads(String what) {
    AtomicLong count = new AtomicLong();
    return r -> {
      Thread t = new Thread(serving(r), name + " " + what + " " + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * A server whose connections get the settings (handlers, limits, listeners) of {@code
   * connections}.
   */
  public static Builder builder(PacketConnection.Builder connections) {
    return new Builder(connections);
  }

  /** The server's name; its connections are named after it. */
  public String name() {
    return name;
  }

  /** The address the server listens on: the bound port for TCP, the socket path for Unix. */
  public SocketAddress localAddress() {
    return localAddress;
  }

  /** The TCP port the server listens on (useful after binding port 0), or -1 for a Unix socket. */
  public int port() {
    return localAddress instanceof InetSocketAddress inet ? inet.getPort() : -1;
  }

  /** Whether the server still accepts connections. */
  public boolean isListening() {
    return listening;
  }

  /** The connections open now: none that has ended, so none once {@link #close()} returns. */
  public List<PacketConnection> connections() {
    // an ended connection leaves the set in a callback that may still be running
    return live.stream().filter(c -> !c.state().isTerminal()).toList();
  }

  /** How many peers have connected since the server started. */
  public long acceptedCount() {
    return accepted.get();
  }

  /**
   * Stops accepting and closes every connection gracefully in parallel, waiting at most the
   * builder's shutdown timeout; connections still open after that are aborted.
   *
   * <p>Called where waiting would wait for itself or stall others (an event loop thread, or a
   * thread doing this server's work: one of its connections' handlers or listeners, its acceptor, a
   * TLS handshake), it stops accepting, leaves the rest to a thread of its own and returns without
   * waiting for the connections; a handler that closes its own server still has its answer sent.
   */
  @Override
  public void close() {
    // under the admission lock, so that a connection being opened now is listed once this returns:
    // its handler may already run, and call this
    stopAccepting();
    if (!mayWait()) {
      Thread t = new Thread(this::closeAndWait, name + " closing");
      t.setDaemon(true);
      t.start();
      return;
    }
    closeAndWait();
  }

  private boolean mayWait() {
    if (EventLoopGroup.inEventLoop() || SERVING.get() == this) {
      return false;
    }
    PacketConnection working = PacketConnection.current().orElse(null);
    return working == null || !live.contains(working);
  }

  private void closeAndWait() {
    stopListening();
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    // each connection may drain for as long as the server: with its own closeTimeout, shorter by
    // default, its running handlers were cut off early, and without the warning below
    Duration drain = shutdownTimeout.plus(CLOSE_GRACE);
    for (PacketConnection c : connections()) {
      closing.add(
          CompletableFuture.runAsync(
              () -> c.close(drain),
              r -> {
                Thread t = new Thread(r, name + " closing " + c.name());
                t.setDaemon(true);
                t.start();
              }));
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      List<PacketConnection> left = connections();
      if (!left.isEmpty()) {
        // the requests they still run are cut off: an operator wants to know that it happened
        LOG.log(
            Level.WARNING,
            () ->
                name
                    + ": "
                    + left.size()
                    + " connection(s) did not close within shutdownTimeout="
                    + shutdownTimeout.toMillis()
                    + "ms; aborting them with "
                    + left.stream().mapToInt(PacketConnection::runningRequests).sum()
                    + " request(s) of their peers still running");
      }
    }
    abort();
  }

  /** For tests: {@code hook} runs on the thread that opened a connection, right after it opened. */
  void afterOpen(Consumer<PacketConnection> hook) {
    afterOpen = hook;
  }

  /** Stops accepting and ends every connection at once. */
  public void abort() {
    stopListening();
    for (PacketConnection c : connections()) {
      c.abort();
    }
  }

  private void stopListening() {
    stopAccepting();
    try {
      acceptorDone.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handshakes.shutdown();
    handshakeDeadlines.shutdownNow();
    for (Socket peer : handshaking) {
      closeQuietly(peer);
    }
    if (unixPath != null) {
      try {
        Files.deleteIfExists(unixPath);
      } catch (IOException e) {
        LOG.log(Level.DEBUG, () -> name + ": cannot remove " + unixPath, e);
      }
    }
  }

  /** Stops accepting without waiting for anything. */
  private void stopAccepting() {
    synchronized (admission) {
      listening = false;
    }
    stopping.countDown();
    try {
      listener.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> name + ": closing the listener failed", e);
    }
  }

  private void start(Acceptor acceptor) {
    Thread t = new Thread(serving(() -> acceptLoop(acceptor)), name + " acceptor");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Accepts until {@link #close()}, whatever is thrown: a failure to accept or to set a connection
   * up (an {@code IOException} for want of file descriptors, an {@code Error} for want of memory or
   * stack) pauses the loop, longer after each failure in a row, and never ends it. The loop ends by
   * itself only if its listener is closed under it, and then the server stops saying it listens.
   */
  private void acceptLoop(Acceptor acceptor) {
    try {
      while (listening && acceptor.isOpen()) {
        try {
          pauseWhileFailing();
          if (!listening) {
            break;
          }
          serve(acceptor.accept());
        } catch (Throwable t) {
          if (!listening || !acceptor.isOpen()) {
            break;
          }
          failed("accept", t);
        }
      }
    } finally {
      if (listening) {
        // not stopped by close(): nothing accepts any more, so stop saying otherwise
        listening = false;
        stopping.countDown();
        LOG.log(Level.ERROR, () -> name + ": stopped accepting: the listener was closed");
      }
      acceptorDone.countDown();
    }
  }

  /** Sleeps out the pause that the last failure asked for, if any; wakes for {@link #close()}. */
  private void pauseWhileFailing() {
    long millis;
    synchronized (backoff) {
      millis = pausing ? TimeUnit.NANOSECONDS.toMillis(resumeAt - System.nanoTime() + 999_999) : 0;
    }
    if (millis > 0) {
      try {
        stopping.await(millis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        // only close() stops the loop; nobody else should interrupt it
      }
    }
  }

  /**
   * Counts one failure to accept or to set up a connection, sets the pause before the next accept
   * and, once per run of failures and then once per report interval, logs one line saying why; the
   * stack trace goes to the debug level, once per run. Never throws.
   */
  private void failed(String what, Throwable cause) {
    if (!listening) {
      return; // closing: failures are expected, and there is nothing to pause
    }
    try {
      long pause;
      long failures;
      boolean report;
      synchronized (backoff) {
        pause = backoff.next();
        long now = System.nanoTime();
        resumeAt = now + TimeUnit.MILLISECONDS.toNanos(pause);
        pausing = true;
        failures = backoff.failures();
        report = backoff.shouldReport(now);
      }
      if (report) {
        LOG.log(
            Level.WARNING,
            () ->
                failures == 1
                    ? name
                        + ": "
                        + what
                        + " failing: "
                        + cause
                        + "; pausing "
                        + pause
                        + " ms, longer while it lasts (up to "
                        + Backoff.MAX_MILLIS
                        + " ms)"
                    : name
                        + ": "
                        + what
                        + " still failing: "
                        + cause
                        + "; "
                        + failures
                        + " failures in a row, pausing "
                        + pause
                        + " ms");
        if (failures == 1) {
          LOG.log(Level.DEBUG, () -> name + ": " + what + " failed", cause);
        }
      }
    } catch (Throwable again) {
      // out of memory even for a log line, say: the pause is set, the loop goes on
    }
  }

  /** A connection opened: if accepting was failing, it works again; say so once. */
  private void succeeded() {
    long failures;
    synchronized (backoff) {
      failures = backoff.failures();
      backoff.reset();
      pausing = false;
    }
    if (failures > 0) {
      LOG.log(
          Level.INFO,
          () ->
              name
                  + ": accepting again after "
                  + failures
                  + (failures == 1 ? " failure" : " failures"));
    }
  }

  /** Hands an accepted peer to a connection, unless the server is full; never throws. */
  private void serve(Closeable peer) {
    long n = accepted.incrementAndGet();
    try {
      if (!admitting.getAsBoolean()) {
        // before a byte is read: no request of the peer's runs, none is half answered
        closeQuietly(peer);
        return;
      }
      if (live.size() + handshaking.size() >= maxConnections) {
        closeQuietly(peer);
        refused();
        return;
      }
      if (peer instanceof SSLSocket tls) {
        handshaking.add(tls);
        try {
          handshakes.execute(() -> handshakeAndOpen(tls, n));
        } catch (Throwable t) {
          handshaking.remove(tls);
          throw t;
        }
      } else {
        open(peer, n);
      }
    } catch (Throwable t) {
      closeQuietly(peer);
      failed("connection set-up", t);
    }
  }

  /**
   * Counts a peer refused for want of a place and logs the first, then one line per report interval
   * at most with the count since: a full server is flooded with peers, not its log.
   */
  private void refused() {
    long count = refused.incrementAndGet();
    synchronized (refused) {
      long now = System.nanoTime();
      if (refusalReported && now - refusalReportedAt < Backoff.REPORT_INTERVAL_NANOS) {
        return;
      }
      refusalReported = true;
      refusalReportedAt = now;
      refused.addAndGet(-count);
    }
    LOG.log(
        Level.WARNING,
        () ->
            name
                + ": refused "
                + (count == 1 ? "a connection" : count + " connections since the last report")
                + ": "
                + maxConnections
                + " open (limit maxConnections); reported once per "
                + TimeUnit.NANOSECONDS.toSeconds(Backoff.REPORT_INTERVAL_NANOS)
                + " s at most");
  }

  /**
   * On a handshake thread: completes a TLS peer's handshake within the handshake timeout, then
   * opens its connection. A peer that fails or stalls in its handshake is only logged at debug
   * level: that is the peer's doing, not the server's trouble.
   */
  private void handshakeAndOpen(SSLSocket tls, long n) {
    try {
      // settled by whichever comes first: the end of the handshake or its deadline
      AtomicBoolean settled = new AtomicBoolean();
      ScheduledFuture<?> deadline = null;
      try {
        deadline =
            handshakeDeadlines.schedule(
                () -> {
                  if (settled.compareAndSet(false, true)) {
                    closeQuietly(tls);
                  }
                },
                handshakeTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        tls.startHandshake();
        if (!settled.compareAndSet(false, true)) {
          throw new SocketTimeoutException("closed at the handshake timeout");
        }
      } catch (IOException e) {
        boolean timedOut = !settled.compareAndSet(false, true);
        closeQuietly(tls);
        LOG.log(
            Level.DEBUG,
            () ->
                name
                    + ": dropping "
                    + tls.getRemoteSocketAddress()
                    + ": "
                    + (timedOut
                        ? "no TLS handshake within " + handshakeTimeout.toMillis() + " ms"
                        : "TLS handshake failed: " + e));
        return;
      } finally {
        if (deadline != null) {
          deadline.cancel(false);
        }
      }
      if (!admitting.getAsBoolean()) {
        // the server stopped admitting while the peer shook hands
        closeQuietly(tls);
        return;
      }
      open(tls, n);
    } catch (Throwable t) {
      closeQuietly(tls);
      failed("connection set-up", t);
    } finally {
      handshaking.remove(tls);
    }
  }

  /**
   * Opens and lists the connection of an accepted peer under {@link #admission}, so the
   * connection's {@link io.packetstream.connection.TrafficListener#connectionOpened} listeners run
   * under that lock (the class comment tells users what follows).
   */
  private void open(Closeable peer, long n) throws IOException {
    PacketConnection.Builder b = connections.copy().name(name + "#" + n);
    PacketConnection c;
    synchronized (admission) {
      if (!listening) {
        closeQuietly(peer); // close() has begun: it would not see this connection
        return;
      }
      if (peer instanceof Socket s) {
        c = b.open(s, true);
      } else if (tlsEngines != null) {
        javax.net.ssl.SSLEngine engine = tlsEngines.get();
        engine.setUseClientMode(false);
        c = b.handshakeTimeout(handshakeTimeout).open((SocketChannel) peer, engine, true);
      } else {
        c = b.open((SocketChannel) peer, true);
      }
      afterOpen.accept(c);
      live.add(c);
      if (!listening) {
        // only a listener of the connection's, on this thread, can have closed the server while
        // it opened: close() took its list before the connection was in it
        live.remove(c);
        c.abort();
        return;
      }
    }
    // runs at once for a connection that has already ended
    c.termination().whenComplete((v, e) -> live.remove(c));
    succeeded();
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (Throwable e) {
      // already gone, or nothing more to be done about it
    }
  }

  @Override
  public String toString() {
    return "PacketServer[" + name + ", " + localAddress + ", " + live.size() + " connections]";
  }

  /** The listening socket as the accept loop sees it. */
  private interface Acceptor {
    Closeable accept() throws IOException;

    boolean isOpen();

    static Acceptor of(ServerSocketChannel channel) {
      return new Acceptor() {
        @Override
        public Closeable accept() throws IOException {
          return channel.accept();
        }

        @Override
        public boolean isOpen() {
          return channel.isOpen();
        }
      };
    }

    static Acceptor of(ServerSocket socket) {
      return new Acceptor() {
        @Override
        public Closeable accept() throws IOException {
          return socket.accept();
        }

        @Override
        public boolean isOpen() {
          return !socket.isClosed();
        }
      };
    }
  }

  /** Collects a server's settings. */
  public static final class Builder {

    /** Default for {@link #maxConnections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** Default for {@link #handshakeTimeout}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final PacketConnection.Builder connections;
    private String name;
    private ServerSocketFactory socketFactory;
    private java.util.function.Supplier<javax.net.ssl.SSLEngine> tlsEngines;
    private int backlog = 128;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private BooleanSupplier admitting = () -> true;

    Builder(PacketConnection.Builder connections) {
      this.connections = Objects.requireNonNull(connections, "connections");
    }

    /** The server's name; connections are called {@code name#N}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Makes the TCP listening socket: pass an {@code SSLContext}'s server socket factory for TLS.
     * Default: plain TCP over socket channels, the fastest transport. Each TLS peer completes its
     * handshake on a thread of its own within {@link #handshakeTimeout} before its connection
     * opens.
     */
    public Builder socketFactory(ServerSocketFactory factory) {
      this.socketFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Serves TLS over socket channels on the event loops: every peer gets an engine from {@code
     * engines} (put in server mode here; configure client authentication, protocols and ciphers
     * there), and its connection holds no thread of its own, as a plain one. The handshake runs on
     * the event loop and must finish within {@link #handshakeTimeout}. The alternative to {@link
     * #socketFactory}, which gives each TLS connection a reader and a writer thread but batches
     * many small writes into fewer records; the README compares the two.
     */
    public Builder tls(java.util.function.Supplier<javax.net.ssl.SSLEngine> engines) {
      this.tlsEngines = Objects.requireNonNull(engines, "engines");
      return this;
    }

    /**
     * {@link #tls(java.util.function.Supplier)} with engines of {@code context} and its defaults.
     */
    public Builder tls(javax.net.ssl.SSLContext context) {
      Objects.requireNonNull(context, "context");
      return tls(context::createSSLEngine);
    }

    /** The TCP listen backlog; default 128. */
    public Builder backlog(int backlog) {
      this.backlog = backlog;
      return this;
    }

    /** The most connections open at once; default 10000. */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections " + n + " is below 1");
      }
      this.maxConnections = n;
      return this;
    }

    /**
     * Asked as each peer connects, before anything is read from it (and again after a TLS peer's
     * handshake): while it says false, new peers are disconnected at once, so none of their
     * requests runs, while peers already connected are served on; for an application out of
     * service. Each call adds a condition: peers are admitted while every one says true. Default:
     * always.
     */
    public Builder admitting(BooleanSupplier admitting) {
      Objects.requireNonNull(admitting, "admitting");
      BooleanSupplier before = this.admitting;
      this.admitting = () -> before.getAsBoolean() && admitting.getAsBoolean();
      return this;
    }

    /**
     * How long {@link PacketServer#close()} waits for connections to close; default 30 s. Each
     * connection drains for as long, whatever its own {@link
     * PacketConnection.Builder#closeTimeout}; then the connections left are aborted, with a warning
     * saying how many requests they still ran.
     */
    public Builder shutdownTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout " + timeout + " is negative");
      }
      this.shutdownTimeout = capped(timeout);
      return this;
    }

    /**
     * How long a TLS peer has to complete its handshake before it is dropped; default 10 s. Until
     * then it holds one of the {@link #maxConnections} places, so that peers which connect and say
     * nothing cannot hold the server's places forever.
     */
    public Builder handshakeTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("handshakeTimeout " + timeout + " is not positive");
      }
      this.handshakeTimeout = capped(timeout);
      return this;
    }

    /** {@code d}, or {@link PacketConnection#LONGEST_WAIT} if it is longer, as a connection's. */
    private static Duration capped(Duration d) {
      return d.compareTo(PacketConnection.LONGEST_WAIT) > 0 ? PacketConnection.LONGEST_WAIT : d;
    }

    /** Listens on a TCP address (port 0 picks a free port) and starts accepting. */
    public PacketServer bind(InetSocketAddress address) throws IOException {
      if (socketFactory != null && tlsEngines != null) {
        throw new IllegalStateException(
            "both socketFactory and tls are set: choose one way to TLS");
      }
      // resolved here: the channel's UnresolvedAddressException says only "null"
      address = PacketClient.resolved(address);
      if (socketFactory == null) {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
          channel.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
          channel.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
          channel.close();
          throw e;
        }
        PacketServer server = new PacketServer(this, channel, channel.getLocalAddress(), null);
        server.start(Acceptor.of(channel));
        return server;
      }
      ServerSocket socket = socketFactory.createServerSocket();
      try {
        socket.setReuseAddress(true);
        socket.bind(address, backlog);
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
      PacketServer server = new PacketServer(this, socket, socket.getLocalSocketAddress(), null);
      server.start(Acceptor.of(socket));
      return server;
    }

    /** Listens on {@code port} of 127.0.0.1 (0 picks a free port). */
    public PacketServer bindLoopback(int port) throws IOException {
      return bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /**
     * Listens on a Unix domain socket at {@code path} and starts accepting; {@link #tls} applies
     * here too, {@link #socketFactory} (which makes TCP sockets) does not and is refused.
     */
    public PacketServer bind(Path path) throws IOException {
      if (socketFactory != null) {
        throw new IllegalStateException(
            "socketFactory makes TCP server sockets and does not apply to a Unix domain socket:"
                + " use tls(...) for TLS over one");
      }
      ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        channel.bind(UnixDomainSocketAddress.of(path), backlog);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      PacketServer server = new PacketServer(this, channel, channel.getLocalAddress(), path);
      server.start(Acceptor.of(channel));
      return server;
    }
  }

  /** The server's Unix socket path, when it listens on one. */
  public Optional<Path> unixSocketPath() {
    return Optional.ofNullable(unixPath);
  }
}
