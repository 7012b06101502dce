package io.packetstream.spring.client;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.context.Durations;
import io.packetstream.spring.context.PacketConnectionBuilders;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What lies beneath a balanced {@link PacketStreamClient}: one member client (one reconnecting
 * connection) per instance its {@link InstanceSource} lists, opened as instances appear and closed
 * gracefully as they leave, and the choice of the member each request goes to. Only a member whose
 * connection is open, and whose peer has not ended requests, takes requests.
 */
final class Balancer {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(PacketStreamClient.class);

  /** How many members an error message lists. */
  private static final int LISTED = 5;

  private final ClientSpec spec;
  private final ClientSpec.Balancing balancing;
  private final PacketConnectionBuilders builders;
  private final TypedCalls calls;
  private final Object lock = new Object();

  /** Serialises refreshes, so that an older answer never undoes a newer one. */
  private final Object refreshLock = new Object();

  /** The members by instance; guarded by lock. */
  private final Map<PeerInstance, PacketStreamClient> members = new LinkedHashMap<>();

  /** The members, copied at every change, for the request path. */
  private volatile List<PacketStreamClient> snapshot = List.of();

  private final AtomicInteger turn = new AtomicInteger();
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> polling;
  private boolean closed = true;
  private volatile boolean everConnected;
  private volatile Throwable lastFailure;
  private volatile Instant lastFailureAt;

  /** Whether the last refresh failed: the first failure of a run is logged at WARN. */
  private boolean failing;

  Balancer(ClientSpec spec, PacketConnectionBuilders builders, TypedCalls calls) {
    this.spec = spec;
    this.balancing = spec.balancing();
    this.builders = builders;
    this.calls = calls;
  }

  /**
   * Starts following the instances. A fail-fast client looks them up now and waits up to the start
   * timeout for one to connect; the others look them up in the background.
   */
  void start(ScheduledExecutorService scheduler) throws IOException {
    synchronized (lock) {
      this.scheduler = scheduler;
      closed = false;
      everConnected = false;
    }
    Duration every = balancing.refreshInterval();
    if (spec.failFast()) {
      try {
        refresh();
      } catch (Exception e) {
        close();
        throw new IOException(
            "packetstream client "
                + spec.name()
                + ": cannot look up "
                + balancing.instances()
                + ": "
                + e,
            e);
      }
      boolean connected;
      try {
        connected = awaitConnected(balancing.startTimeout());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        connected = false;
      }
      if (!connected) {
        String why = describe();
        // the members' connect failures, not only a failed look-up: the cause the analysis shows
        Throwable cause = lastFailure().orElse(null);
        close();
        throw new IOException(
            "packetstream client "
                + spec.name()
                + ": no instance of "
                + balancing.instances()
                + " connected within "
                + Durations.format(balancing.startTimeout())
                + " ("
                + why
                + (cause == null ? "" : "; the last failure: " + cause)
                + ")",
            cause);
      }
    }
    synchronized (lock) {
      if (!every.isZero()) {
        long first = spec.failFast() ? every.toNanos() : 0;
        polling =
            scheduler.scheduleWithFixedDelay(
                this::refreshQuietly, first, every.toNanos(), TimeUnit.NANOSECONDS);
      } else if (!spec.failFast()) {
        scheduler.execute(this::refreshQuietly);
      }
    }
  }

  /** Asks for the instances again soon, on a client thread; requests made meanwhile coalesce. */
  void refreshSoon() {
    ScheduledExecutorService s;
    synchronized (lock) {
      if (closed || balancing.refreshInterval().isZero()) {
        return;
      }
      s = scheduler;
    }
    if (refreshQueued.compareAndSet(false, true)) {
      try {
        s.execute(
            () -> {
              refreshQueued.set(false);
              refreshQuietly();
            });
      } catch (RejectedExecutionException e) {
        refreshQueued.set(false); // shutting down
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (Exception e) {
      boolean first;
      synchronized (lock) {
        first = !failing;
        failing = true;
      }
      lastFailure = e;
      lastFailureAt = Instant.now();
      // a discovery outage keeps the connections there are: instances do not leave with it
      LOG.log(
          first ? Level.WARNING : Level.DEBUG,
          () ->
              "packetstream client "
                  + spec.name()
                  + ": cannot look up "
                  + balancing.instances()
                  + ": "
                  + e
                  + "; keeping "
                  + snapshot.size()
                  + " known instance(s)");
    }
  }

  /** Looks the instances up and opens and closes members to match. */
  void refresh() throws Exception {
    synchronized (refreshLock) {
      List<PeerInstance> found = balancing.instances().instances();
      Set<PeerInstance> now = new LinkedHashSet<>(found);
      List<PacketStreamClient> added = new ArrayList<>();
      List<PacketStreamClient> gone = new ArrayList<>();
      synchronized (lock) {
        if (closed) {
          return;
        }
        failing = false;
        var it = members.entrySet().iterator();
        while (it.hasNext()) {
          var e = it.next();
          // a member closed for good (reconnecting disabled) is made anew while still listed
          if (!now.contains(e.getKey())
              || e.getValue().status() == PacketStreamClient.Status.CLOSED) {
            gone.add(e.getValue());
            it.remove();
          }
        }
        for (PeerInstance i : now) {
          if (!members.containsKey(i)) {
            PacketStreamClient m = member(i);
            members.put(i, m);
            added.add(m);
          }
        }
        snapshot = List.copyOf(members.values());
        // under the lock, so that a close() now closes them too; this only queues a connect
        for (PacketStreamClient m : added) {
          LOG.log(
              Level.INFO,
              () ->
                  "packetstream client "
                      + spec.name()
                      + ": instance "
                      + m.name()
                      + " found; connecting");
          try {
            m.start(scheduler);
          } catch (RejectedExecutionException e) {
            // shutting down: close() ends the member
          }
        }
      }
      for (PacketStreamClient m : gone) {
        LOG.log(
            Level.INFO,
            () ->
                "packetstream client "
                    + spec.name()
                    + ": instance "
                    + m.name()
                    + " left; closing its connection gracefully");
        closeInBackground(m);
      }
    }
  }

  /** A member client for {@code instance}, metered and customised as this client. */
  private PacketStreamClient member(PeerInstance instance) {
    String name = spec.name() + "[" + instance + "]";
    ClientSpec member =
        new ClientSpec(
            name, b -> connect(instance, b), false, spec.backoff(), spec.requestTimeout());
    // meters and customizers see the balanced client's name; the connection is named by instance
    return new PacketStreamClient(
        member, (role, n) -> builders.builder(role, spec.name()).name(n), calls);
  }

  private PacketConnection connect(PeerInstance instance, PacketConnection.Builder builder)
      throws IOException {
    PacketConnection c = balancing.connector().connect(instance, builder);
    everConnected = true;
    // a lost connection may mean a departed instance: ask discovery now rather than at the next
    // poll
    c.termination().whenComplete((v, e) -> refreshSoon());
    return c;
  }

  private void closeInBackground(PacketStreamClient member) {
    Thread t = new Thread(member::close, "packetstream-client-close-" + member.name());
    t.setDaemon(true);
    t.start();
  }

  /** Closes every member gracefully, at once, and stops following the instances. */
  void close() {
    List<PacketStreamClient> all;
    synchronized (lock) {
      closed = true;
      if (polling != null) {
        polling.cancel(false);
        polling = null;
      }
      all = List.copyOf(members.values());
      members.clear();
      snapshot = List.of();
    }
    PacketClients.closeInParallel(all);
  }

  /**
   * Sends with {@code send} over the connection of the member {@link ClientSpec.Balancing#balance}
   * picks. A member whose connection refused the request because it had begun to drain never sent
   * it, and the next member is tried; a connection that ends before answering fails the request
   * with an error that names the instance.
   */
  <T> CompletableFuture<T> submit(
      long rqType, Function<PacketConnection, CompletableFuture<T>> send) {
    List<PacketStreamClient> all = snapshot;
    for (int attempt = 0; attempt <= all.size(); attempt++) {
      Picked p = pick(all);
      if (p == null) {
        break;
      }
      CompletableFuture<T> sent = send.apply(p.connection());
      if (sent.isDone() && refusedWhileDraining(sent, p.connection())) {
        continue;
      }
      return naming(sent, p.member(), rqType);
    }
    return CompletableFuture.failedFuture(noInstance(rqType));
  }

  /** A member picked to send to, with the connection that was found ready when it was picked. */
  private record Picked(PacketStreamClient member, PacketConnection connection) {}

  /** The member to send to, or null when none is ready. */
  private Picked pick(List<PacketStreamClient> all) {
    int n = all.size();
    if (n == 0) {
      return null;
    }
    if (balancing.balance() == Balance.ROUND_ROBIN) {
      return nextReady(all);
    }
    int start = Math.floorMod(turn.getAndIncrement(), n);
    PacketStreamClient best = null;
    PacketConnection bestConnection = null;
    int fewest = Integer.MAX_VALUE;
    for (int k = 0; k < n; k++) {
      PacketStreamClient m = all.get((start + k) % n);
      PacketConnection c = ready(m);
      if (c != null) {
        int pending = c.pendingRequests();
        if (pending < fewest) {
          fewest = pending;
          best = m;
          bestConnection = c;
        }
      }
    }
    return best == null ? null : new Picked(best, bestConnection);
  }

  /**
   * The next of the members that take requests, in turn among those only: counting turns over all
   * members would hand a member that is down's turns to the one after it, twice the others' share.
   */
  private Picked nextReady(List<PacketStreamClient> all) {
    int readyCount = 0;
    for (PacketStreamClient m : all) {
      if (ready(m) != null) {
        readyCount++;
      }
    }
    if (readyCount == 0) {
      return null;
    }
    int skip = Math.floorMod(turn.getAndIncrement(), readyCount);
    Picked first = null;
    for (PacketStreamClient m : all) {
      PacketConnection c = ready(m);
      if (c != null) {
        if (skip-- == 0) {
          return new Picked(m, c);
        }
        if (first == null) {
          first = new Picked(m, c);
        }
      }
    }
    return first; // members stopped taking requests since they were counted
  }

  /** The member's connection if it takes requests: open, and its peer has not ended requests. */
  private static PacketConnection ready(PacketStreamClient member) {
    PacketConnection c = member.connection().orElse(null);
    return c != null && c.state() == ConnectionState.OPEN && !c.peerEndedRequests() ? c : null;
  }

  /**
   * Whether {@code sent}, complete as soon as it was made, is a refusal of a connection that began
   * to drain after it was picked: such a connection refuses before anything goes out. A connection
   * that failed instead (a broken socket) may have sent part of it, and is not retried.
   */
  private static boolean refusedWhileDraining(CompletableFuture<?> sent, PacketConnection c) {
    Throwable e = failure(sent);
    return e instanceof ConnectionClosedException
        && (c.state() == ConnectionState.DRAINING || c.peerEndedRequests());
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.getNow(null);
      return null;
    } catch (CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (CancellationException e) {
      return e;
    }
  }

  /**
   * {@code sent}, with an ended connection's error naming the instance; cancelling it cancels sent.
   */
  private <T> CompletableFuture<T> naming(
      CompletableFuture<T> sent, PacketStreamClient member, long rqType) {
    CompletableFuture<T> result = new CompletableFuture<>();
    sent.whenComplete(
        (value, error) -> {
          if (error == null) {
            result.complete(value);
            return;
          }
          Throwable cause =
              error instanceof CompletionException && error.getCause() != null
                  ? error.getCause()
                  : error;
          result.completeExceptionally(
              cause instanceof ConnectionClosedException
                  ? new ConnectionClosedException(
                      "packetstream client "
                          + spec.name()
                          + ": the connection to instance "
                          + member.name()
                          + " ended before it answered request type "
                          + rqType
                          + ": "
                          + cause.getMessage(),
                      cause)
                  : cause);
        });
    result.whenComplete(
        (value, error) -> {
          if (result.isCancelled()) {
            sent.cancel(false);
          }
        });
    return result;
  }

  private ConnectionClosedException noInstance(long rqType) {
    return new ConnectionClosedException(
        "packetstream client "
            + spec.name()
            + ": no instance of "
            + balancing.instances()
            + " can take requests ("
            + describe()
            + "): cannot send request type "
            + rqType,
        lastFailure().orElse(null));
  }

  /** The members and their states, the first few of them, for an error message. */
  private String describe() {
    List<PacketStreamClient> all = snapshot;
    if (all.isEmpty()) {
      return "none known";
    }
    StringBuilder b = new StringBuilder().append(all.size()).append(" known: ");
    for (int i = 0; i < Math.min(LISTED, all.size()); i++) {
      PacketStreamClient m = all.get(i);
      PacketConnection c = m.connection().orElse(null);
      b.append(i == 0 ? "" : ", ")
          .append(m.name())
          .append(' ')
          .append(
              c == null
                  ? m.status().name().toLowerCase()
                  // an open connection whose peer ended requests takes none: say why
                  : c.peerEndedRequests() ? "draining" : c.state().name().toLowerCase());
    }
    return b.append(all.size() > LISTED ? ", ..." : "").toString();
  }

  /** Whether {@link #start} was called: after a close too. */
  boolean started() {
    synchronized (lock) {
      return scheduler != null;
    }
  }

  /** Waits until a member takes requests, at most {@code timeout}; true if one does. */
  boolean awaitConnected(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!anyReady()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return false;
        }
        // members connect on their own threads: look again every few milliseconds
        TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, 10_000_000L));
      }
      return true;
    }
  }

  private boolean anyReady() {
    for (PacketStreamClient m : snapshot) {
      if (ready(m) != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * CONNECTED while a member takes requests; CONNECTING until one first connected, RECONNECTING
   * after; CLOSED once closed.
   */
  PacketStreamClient.Status status() {
    synchronized (lock) {
      if (closed) {
        return PacketStreamClient.Status.CLOSED;
      }
    }
    if (anyReady()) {
      return PacketStreamClient.Status.CONNECTED;
    }
    return everConnected
        ? PacketStreamClient.Status.RECONNECTING
        : PacketStreamClient.Status.CONNECTING;
  }

  /** A connection that takes requests now, if any. */
  Optional<PacketConnection> anyConnection() {
    for (PacketStreamClient m : snapshot) {
      PacketConnection c = ready(m);
      if (c != null) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The member clients, one per instance now known. */
  List<PacketStreamClient> members() {
    return snapshot;
  }

  /** Where the instances come from and how requests spread, for health and the endpoint. */
  String source() {
    return balancing.instances()
        + ", "
        + balancing.balance().name().toLowerCase().replace('_', '-');
  }

  /** The latest of a failed lookup and the members' failures. */
  Optional<Throwable> lastFailure() {
    return latest().map(Failure::error);
  }

  /** When {@link #lastFailure()} happened. */
  Optional<Instant> lastFailureAt() {
    return latest().map(Failure::at);
  }

  private record Failure(Throwable error, Instant at) {}

  private Optional<Failure> latest() {
    List<Failure> all = new ArrayList<>();
    Throwable own = lastFailure;
    Instant ownAt = lastFailureAt;
    if (own != null && ownAt != null) {
      all.add(new Failure(own, ownAt));
    }
    for (PacketStreamClient m : snapshot) {
      Optional<Throwable> e = m.lastFailure();
      Optional<Instant> at = m.lastFailureAt();
      if (e.isPresent() && at.isPresent()) {
        all.add(new Failure(e.get(), at.get()));
      }
    }
    return all.stream().max(Comparator.comparing(Failure::at));
  }
}
