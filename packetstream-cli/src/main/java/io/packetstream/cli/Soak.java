package io.packetstream.cli;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.EventLoopGroup;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One soak run ({@code soak}): a server and its clients in this JVM over 127.0.0.1, a killer that
 * ends connections on both sides, and the accounting of every request.
 *
 * <p>Each of the C clients keeps W {@link Slot}s busy: a slot sends a request, and its next one
 * when the first has ended, on whatever connection its client has at the time. A slot whose
 * connection has ended, is closing, or whose peer said it is closing (its ERQ, or a "closing"
 * refusal) parks; the client's first parked slot starts a reconnect, which closes the old
 * connection gracefully, opens a new one and starts the parked slots again. Ids are handed out from
 * one counter, so the run sends exactly {@code requests} requests unless it is stopped.
 *
 * <p>Every request ends in exactly one {@link Outcome}, decided by a compare-and-set on the
 * request, so that a late answer to a request already counted as hung is not counted again. A
 * watchdog counts a request as hung once it has waited {@code deadline} and lets its slot go on.
 */
final class Soak {

  /** How a request ended. The first five are expected; the rest are defects. */
  enum Outcome {
    /** Answered ok with the right flags and payload. */
    OK,
    /** Failed with exactly the not-ok answer its handler asked for. */
    ASKED,
    /** Refused by the server with a not-ok answer that names a limit or its state. */
    REFUSED,
    /** Ended by the connection's end: a {@link ConnectionClosedException} after it was sent. */
    CLOSED,
    /**
     * Refused at submit: a {@link RejectedExecutionException} thrown or returned, or a {@link
     * ConnectionClosedException} whose message is the engine's refusal to send ({@value
     * #SUBMIT_REFUSED_TEXT}): the request never left.
     */
    SUBMIT_REFUSED,
    /** An answer other than the one the request must get. */
    WRONG,
    /** A not-ok answer with a text the soak does not know. */
    UNEXPECTED,
    /** Any other exception. */
    OTHER,
    /** Never ended within the deadline. */
    HUNG
  }

  /** The server's refusal texts (PROTOCOL.md section 3 and the engine's limits). */
  static final String REFUSED_CLOSING = "rejecting request: runstate.cancelled";

  static final String REFUSED_AFTER_ERQ = "requests no longer allowed";
  static final String REFUSED_LIMIT_PREFIX = "too many requests: ";

  /** What a request refused at submit says (PacketConnection and its pending table). */
  static final String SUBMIT_REFUSED_TEXT = "cannot send request type";

  /** The run's settings; see {@link SoakCommand} for each. */
  record Settings(
      int connections,
      int window,
      long requests,
      long gracefulRequests,
      long killEveryMillis,
      boolean gracefulServerCloses,
      long seed,
      double maxSeconds,
      long deadlineMillis,
      int maxPayload,
      int serverLimit,
      SoakHandler.Fault fault) {}

  /** What the run found. */
  record Result(
      long requests,
      Map<Outcome, Long> outcomes,
      long gracefulClosed,
      long duplicates,
      long strays,
      int leftoverConnections,
      List<String> leftoverThreads,
      long aborts,
      long gracefulCloses,
      long reconnects,
      long connectFailures,
      long refusedClosing,
      long refusedAfterErq,
      long refusedLimit,
      boolean stoppedEarly,
      double seconds) {

    long count(Outcome o) {
      return outcomes.getOrDefault(o, 0L);
    }

    /** Every defect: per request, and of the run. */
    long defects() {
      return count(Outcome.WRONG)
          + count(Outcome.UNEXPECTED)
          + count(Outcome.OTHER)
          + count(Outcome.HUNG)
          + duplicates
          + strays
          + leftoverConnections
          + leftoverThreads.size();
    }

    /** The sum of every outcome: equal to {@link #requests} when each request was counted once. */
    long accounted() {
      return outcomes.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static final int SAMPLES = 5;

  private final Settings settings;
  private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
  private final Map<Outcome, AtomicInteger> sampled = new EnumMap<>(Outcome.class);
  private final Queue<String> samples = new ConcurrentLinkedQueue<>();
  private final LongAdder gracefulClosed = new LongAdder();
  private final LongAdder refusedClosing = new LongAdder();
  private final LongAdder refusedAfterErq = new LongAdder();
  private final LongAdder refusedLimit = new LongAdder();
  private final LongAdder aborts = new LongAdder();
  private final LongAdder gracefulCloses = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<Long, Call> inFlight = new ConcurrentHashMap<>();
  private final CountDownLatch slotsDone;
  private final long switchAt;
  private volatile boolean graceful;
  private volatile boolean stopping;

  private ScheduledThreadPoolExecutor scheduler;
  private ExecutorService closers;
  private ExecutorService reconnectors;
  private SoakHandler handler;
  private PacketServer server;
  private InetSocketAddress address;
  private PacketConnection.Builder clientBuilder;
  private Client[] clients;

  Soak(Settings settings) {
    this.settings = settings;
    for (Outcome o : Outcome.values()) {
      outcomes.put(o, new LongAdder());
      sampled.put(o, new AtomicInteger());
    }
    this.slotsDone = new CountDownLatch(settings.connections() * settings.window());
    this.switchAt = settings.requests() - settings.gracefulRequests();
  }

  /** Samples of the defects found (a few of each kind), for stderr. */
  List<String> samples() {
    return List.copyOf(samples);
  }

  /** Runs the soak to its end and returns what it found. */
  Result run() throws IOException, InterruptedException {
    EventLoopGroup.shared(); // its loops live as long as the JVM: they are no thread left behind
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    long start = System.nanoTime();
    long maxNanos = Math.round(settings.maxSeconds() * 1e9);
    scheduler = new ScheduledThreadPoolExecutor(1, threads("soak-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    closers = Executors.newFixedThreadPool(4, threads("soak-closer"));
    reconnectors = Executors.newFixedThreadPool(2, threads("soak-reconnect"));
    handler = new SoakHandler(settings.requests(), scheduler, settings.fault());
    Duration closeTimeout = Duration.ofMillis(Math.min(10_000, settings.deadlineMillis()));
    PacketConnection.Builder serverConnections =
        PacketConnection.builder().name("soak-server").handler(handler).closeTimeout(closeTimeout);
    if (settings.serverLimit() > 0) {
      serverConnections
          .maxConcurrentRequests(settings.serverLimit())
          .maxQueuedRequests(settings.serverLimit());
    }
    server =
        PacketServer.builder(serverConnections)
            .name("soak-server")
            .shutdownTimeout(closeTimeout.plusSeconds(5))
            .bindLoopback(0);
    address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
    clientBuilder = PacketConnection.builder().name("soak-client").closeTimeout(closeTimeout);
    graceful = switchAt <= 0;
    boolean stoppedEarly = false;
    Thread killer = null;
    Thread watchdog = null;
    try {
      clients = new Client[settings.connections()];
      for (int i = 0; i < clients.length; i++) {
        clients[i] = new Client(i);
        clients[i].current = clients[i].connect();
      }
      killer = new Thread(this::kill, "soak-killer");
      killer.start();
      watchdog = new Thread(this::watch, "soak-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      for (Client c : clients) {
        for (int w = 0; w < settings.window(); w++) {
          new Slot(c).next();
        }
      }
      long left = maxNanos - (System.nanoTime() - start);
      if (!slotsDone.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        stoppedEarly = true;
        stopping = true;
        // the slots end as their requests end; those that never do are counted hung
        slotsDone.await(settings.deadlineMillis() + 2_000, TimeUnit.MILLISECONDS);
      }
    } finally {
      stopping = true;
      if (killer != null) {
        killer.interrupt();
        killer.join(10_000);
      }
      if (watchdog != null) {
        watchdog.interrupt();
        watchdog.join(10_000);
      }
    }
    // what is still outstanding never ended
    for (Call call : List.copyOf(inFlight.values())) {
      call.settle(Outcome.HUNG, "outstanding at the end: " + call);
    }
    // every client closes gracefully, all at once
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Client c : clients) {
      Conn conn = c.current;
      if (conn != null) {
        closing.add(CompletableFuture.runAsync(conn.connection::close, closers));
      }
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(settings.deadlineMillis() + 10_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      record(Outcome.OTHER, "the final closes did not end: " + e);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // the bounded waits for what must go away: 10 s, shorter when the deadline is (in tests)
    long settle =
        TimeUnit.MILLISECONDS.toNanos(Math.max(1_000, Math.min(10_000, settings.deadlineMillis())));
    int leftover = awaitServerEmpty(settle);
    server.close();
    scheduler.shutdownNow();
    closers.shutdown();
    reconnectors.shutdown();
    closers.awaitTermination(10, TimeUnit.SECONDS);
    reconnectors.awaitTermination(10, TimeUnit.SECONDS);
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    List<String> threads = leftoverThreads(before, settle);
    Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
    outcomes.forEach((o, n) -> counts.put(o, n.sum()));
    return new Result(
        Math.min(ids.get(), settings.requests()),
        counts,
        gracefulClosed.sum(),
        handler.duplicates(),
        handler.strays(),
        leftover,
        threads,
        aborts.sum(),
        gracefulCloses.sum(),
        reconnects.sum(),
        connectFailures.sum(),
        refusedClosing.sum(),
        refusedAfterErq.sum(),
        refusedLimit.sum(),
        stoppedEarly,
        seconds);
  }

  /** Waits until the server holds no connection; returns how many it still holds. */
  private int awaitServerEmpty(long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    while (!server.connections().isEmpty() && System.nanoTime() - end < 0) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    List<PacketConnection> left = server.connections();
    for (PacketConnection c : left) {
      samples.add("leftover connection on the server: " + c + " " + c.state());
    }
    return left.size();
  }

  /**
   * The threads started since {@code before} that are still alive after up to {@code nanos}: every
   * non-daemon one, and every daemon one whose name is the engine's ({@code packetstream-}) or the
   * soak's own ({@code soak-}), except the shared handler pool's {@code packetstream-handler-}
   * threads (Java 17), which end after 30 s idle by design. The shared event loops started before.
   */
  private List<String> leftoverThreads(Set<Thread> before, long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    List<String> left;
    while (true) {
      left = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (!before.contains(t) && t.isAlive() && counts(t)) {
          left.add(t.getName());
        }
      }
      if (left.isEmpty() || System.nanoTime() - end >= 0) {
        return left;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static boolean counts(Thread t) {
    String name = t.getName();
    if (name.startsWith("packetstream-handler-")) {
      return false;
    }
    return !t.isDaemon() || name.startsWith("packetstream") || name.startsWith("soak-");
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void record(Outcome outcome, String detail) {
    outcomes.get(outcome).increment();
    if (outcome.compareTo(Outcome.WRONG) >= 0
        && detail != null
        && sampled.get(outcome).getAndIncrement() < SAMPLES) {
      samples.add(outcome.name().toLowerCase() + ": " + detail);
    }
  }

  // ---- the killer and the watchdog

  private void kill() {
    SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5DEECE66DL);
    try {
      while (!stopping) {
        TimeUnit.MILLISECONDS.sleep(settings.killEveryMillis());
        if (!graceful && ids.get() >= switchAt) {
          graceful = true; // every abort has returned: connections opened from now on see none
        }
        PacketConnection victim;
        boolean serverSide = random.nextBoolean();
        if (serverSide && (!graceful || settings.gracefulServerCloses())) {
          List<PacketConnection> live = server.connections();
          if (live.isEmpty()) {
            continue;
          }
          victim = live.get(random.nextInt(live.size()));
        } else {
          Conn conn = clients[random.nextInt(clients.length)].current;
          if (conn == null) {
            continue;
          }
          victim = conn.connection;
        }
        if (graceful) {
          gracefulCloses.increment();
          closers.execute(victim::close);
        } else {
          aborts.increment();
          victim.abort();
        }
      }
    } catch (InterruptedException e) {
      // the run is over
    }
  }

  private void watch() {
    try {
      while (!stopping) {
        TimeUnit.MILLISECONDS.sleep(Math.max(10, Math.min(1000, settings.deadlineMillis() / 10)));
        long now = System.nanoTime();
        long deadline = TimeUnit.MILLISECONDS.toNanos(settings.deadlineMillis());
        for (Call call : inFlight.values()) {
          if (now - call.startNanos > deadline
              && call.settle(
                  Outcome.HUNG, "no end after " + settings.deadlineMillis() + " ms: " + call)) {
            reconnectors.execute(call.slot::next);
          }
        }
      }
    } catch (InterruptedException e) {
      // the run is over
    }
  }

  // ---- clients, slots, requests

  /** One client connection at a time, replaced when it ends. */
  private static final class Conn {
    final PacketConnection connection;

    /** Opened in the graceful phase: none of its requests may end by the connection's end. */
    final boolean graceful;

    /** The peer said it is closing: send nothing more on it. */
    volatile boolean retired;

    Conn(PacketConnection connection, boolean graceful) {
      this.connection = connection;
      this.graceful = graceful;
    }

    boolean usable() {
      return !retired
          && connection.state() == ConnectionState.OPEN
          && !connection.peerEndedRequests();
    }
  }

  private final class Client {
    final int index;
    final SplittableRandom random;
    volatile Conn current;
    // guarded by this
    private final ArrayDeque<Slot> parked = new ArrayDeque<>();
    private boolean reconnecting;

    Client(int index) {
      this.index = index;
      this.random = new SplittableRandom(settings.seed() + index);
    }

    /** Opens a connection, trying again until it works or the run stops; null if it stops. */
    Conn connect() throws InterruptedException {
      while (!stopping) {
        boolean inGracefulPhase = graceful; // read first: a connection made after it sees no abort
        try {
          return new Conn(
              PacketClient.connect(address, Duration.ofSeconds(10), clientBuilder),
              inGracefulPhase);
        } catch (IOException e) {
          connectFailures.increment();
          TimeUnit.MILLISECONDS.sleep(10);
        }
      }
      return null;
    }

    /**
     * Parks {@code slot}, whose connection {@code seen} cannot take requests, until a new one is
     * open; returns false if the slot should try again now instead.
     */
    boolean park(Slot slot, Conn seen) {
      Conn old;
      synchronized (this) {
        Conn now = current;
        if (stopping || (now != seen && now != null && now.usable())) {
          return false;
        }
        parked.add(slot);
        if (reconnecting) {
          return true;
        }
        reconnecting = true;
        old = now;
      }
      reconnectors.execute(() -> reconnect(old));
      return true;
    }

    private void reconnect(Conn old) {
      if (old != null && !old.connection.state().isTerminal()) {
        closers.execute(old.connection::close);
      }
      Conn fresh = null;
      try {
        fresh = connect();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<Slot> go;
      synchronized (this) {
        if (fresh != null) {
          current = fresh;
          reconnects.increment();
        }
        reconnecting = false;
        go = new ArrayList<>(parked);
        parked.clear();
      }
      for (Slot s : go) {
        s.next();
      }
    }
  }

  /** One place in a client's window. */
  private final class Slot {
    final Client client;

    Slot(Client client) {
      this.client = client;
    }

    /** Sends the next request, or parks, or ends when the run has sent all of them. */
    void next() {
      while (true) {
        if (stopping) {
          slotsDone.countDown();
          return;
        }
        Conn conn = client.current;
        if (conn == null || !conn.usable()) {
          if (client.park(this, conn)) {
            return;
          }
          continue;
        }
        long id = ids.getAndIncrement();
        if (id >= settings.requests()) {
          slotsDone.countDown();
          return;
        }
        int type = 1 + client.random.nextInt(SoakHandler.TYPES);
        byte[] payload =
            new byte[SoakHandler.ID_BYTES + client.random.nextInt(settings.maxPayload() + 1)];
        client.random.nextBytes(payload);
        ByteBuffer.wrap(payload).putLong(id);
        Call call = new Call(id, type, payload, this, conn);
        inFlight.put(id, call);
        CompletableFuture<Response> future;
        try {
          future = conn.connection.submit(type, 0, payload);
        } catch (RuntimeException e) {
          conn.retired = true;
          Outcome o =
              e instanceof RejectedExecutionException ? Outcome.SUBMIT_REFUSED : Outcome.OTHER;
          if (call.settle(o, "submit threw " + e)) {
            continue;
          }
          return;
        }
        if (!future.isDone()) {
          future.whenComplete(call);
          return;
        }
        Response response = null;
        Throwable error = null;
        try {
          response = future.getNow(null);
        } catch (CompletionException | CancellationException e) {
          error = e instanceof CompletionException ? e.getCause() : e;
        }
        if (!call.end(response, error)) {
          return; // the watchdog took it over
        }
      }
    }
  }

  /** One request: what was sent, and how it ended. */
  private final class Call implements BiConsumer<Response, Throwable> {
    final long id;
    final int type;
    final byte[] payload;
    final Slot slot;
    final Conn conn;
    final long startNanos = System.nanoTime();
    private final AtomicBoolean settled = new AtomicBoolean();

    Call(long id, int type, byte[] payload, Slot slot, Conn conn) {
      this.id = id;
      this.type = type;
      this.payload = payload;
      this.slot = slot;
      this.conn = conn;
    }

    @Override
    public void accept(Response response, Throwable error) {
      if (end(response, error)) {
        slot.next();
      }
    }

    /** Counts how the request ended; true if this was its end (then the caller goes on). */
    boolean end(Response response, Throwable error) {
      if (error instanceof CompletionException && error.getCause() != null) {
        error = error.getCause();
      }
      if (error != null) {
        if (error instanceof ConnectionClosedException
            && String.valueOf(error.getMessage()).contains(SUBMIT_REFUSED_TEXT)) {
          conn.retired = true;
          return settle(Outcome.SUBMIT_REFUSED, null);
        }
        if (error instanceof RejectedExecutionException) {
          conn.retired = true;
          return settle(Outcome.SUBMIT_REFUSED, null);
        }
        if (error instanceof ConnectionClosedException) {
          conn.retired = true;
          boolean mine = settle(Outcome.CLOSED, null);
          if (mine && conn.graceful) {
            gracefulClosed.increment();
            if (gracefulClosed.sum() <= SAMPLES) {
              samples.add(
                  "closed in the graceful phase: "
                      + this
                      + " (the server "
                      + (handler.handled(id) ? "ran" : "never ran")
                      + " its handler): "
                      + error.getMessage());
            }
          }
          return mine;
        }
        return settle(Outcome.OTHER, this + ": " + error);
      }
      if (response == null) {
        return settle(Outcome.OTHER, this + ": completed with no response");
      }
      if (response.ok()) {
        boolean answers =
            type == SoakHandler.NOW || type == SoakHandler.LATER || type == SoakHandler.BLOCK;
        boolean right =
            answers
                && response.flags() == SoakHandler.expectedFlags(id, type)
                && Arrays.equals(response.payload(), SoakHandler.expectedBody(payload));
        return settle(right ? Outcome.OK : Outcome.WRONG, this + ": got " + response);
      }
      String text = response.text();
      if (type == SoakHandler.ASKED && text.startsWith("asked failure ")) {
        boolean right =
            response.flags() == SoakHandler.askedFlags(id)
                && Arrays.equals(response.payload(), SoakHandler.askedPayload(id));
        return settle(
            right ? Outcome.ASKED : Outcome.WRONG, this + ": got " + response + " " + text);
      }
      if (type == SoakHandler.THROW && text.equals(Response.HANDLER_EXCEPTION)) {
        return settle(
            response.flags() == 0 ? Outcome.ASKED : Outcome.WRONG, this + ": got " + response);
      }
      if (response.flags() == 0) {
        if (text.equals(REFUSED_CLOSING)) {
          conn.retired = true;
          refusedClosing.increment();
          return settle(Outcome.REFUSED, null);
        }
        if (text.equals(REFUSED_AFTER_ERQ)) {
          conn.retired = true;
          refusedAfterErq.increment();
          return settle(Outcome.REFUSED, null);
        }
        if (text.startsWith(REFUSED_LIMIT_PREFIX)) {
          refusedLimit.increment();
          return settle(Outcome.REFUSED, null);
        }
      }
      return settle(Outcome.UNEXPECTED, this + ": not ok, flags " + response.flags() + ": " + text);
    }

    /** Counts the request as {@code outcome} unless it was counted already; true if this did. */
    boolean settle(Outcome outcome, String detail) {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      inFlight.remove(id, this);
      record(outcome, detail);
      return true;
    }

    @Override
    public String toString() {
      return "request " + id + " type " + type + " on " + conn.connection.name();
    }
  }
}
