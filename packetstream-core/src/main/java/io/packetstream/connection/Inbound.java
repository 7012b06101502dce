package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Admission of the peer's requests: at most {@code maxConcurrentRequests} run at once, the rest
 * wait in a queue bounded by count and payload bytes, and beyond that a request is refused at once
 * with a not-ok answer that names the limit.
 *
 * <p>Holding: while the connection's answers to the peer are over their limit, no new request
 * starts ({@link #startQueued} starts them once the answers drain); they wait in the queue (and
 * beyond it are refused) until the peer has read enough. The connection goes on reading meanwhile,
 * so answers to its own requests are never held back.
 *
 * <p>A handler executor that refuses a request (full or shut down) never costs the request: it goes
 * back to the head of the queue and starts again after a pause, so a shared pool under load delays
 * requests instead of failing them.
 *
 * <p>Budget: an admitted request's payload is charged to the connection's {@link InboundAccount}
 * until it has answered, or until the connection ends: then every charge goes back at once, so a
 * handler that hangs on a dead connection holds no budget.
 *
 * <p>The monitor guards every field below; nothing is called out under it.
 */
final class Inbound {

  static final String REFUSE_NO_HANDLER = "no request handler";
  static final String REFUSE_CLOSING = "rejecting request: runstate.cancelled";
  static final String REFUSE_AFTER_ERQ = "requests no longer allowed";
  static final String REFUSE_UNKNOWN_CHANNEL = "unknown channel %d";

  private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MAX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final PacketConnection connection;
  private final Executor executor;
  private final InboundAccount account;
  private final int maxConcurrent;
  private final int maxQueued;
  private final long maxQueuedBytes;

  private final TagMap<InboundRequest> tags = new TagMap<>();
  private final ArrayDeque<InboundRequest> queued = new ArrayDeque<>(0);
  private final java.util.Set<InboundRequest> later = new java.util.HashSet<>(); // awaiting a stage
  private int freedLater; // of those, the ones that gave their slot on (at most maxQueued)
  private long queuedBytes;
  private long charged; // payload bytes of admitted requests held in the account
  private int running;
  private final java.util.function.BooleanSupplier holding;
  private String refusal;
  private boolean ended;
  private boolean overflowing; // the last request found the queue full and was refused
  private long retryNanos;
  private boolean retryScheduled;

  /**
   * @param holding whether new requests must wait now (the answers queued are over their limit);
   *     read under this object's monitor
   */
  Inbound(
      PacketConnection connection,
      ConnectionConfig config,
      InboundAccount account,
      java.util.function.BooleanSupplier holding) {
    this.connection = connection;
    this.holding = holding;
    this.executor = config.executor();
    this.account = account;
    this.maxConcurrent = config.maxConcurrentRequests;
    this.maxQueued = config.maxQueuedRequests;
    this.maxQueuedBytes = config.maxQueuedRequestBytes;
  }

  /**
   * Refuses every request from now on with {@code why}; a later reason replaces an earlier one only
   * when {@code replace}.
   */
  synchronized void refuse(String why, boolean replace) {
    if (refusal == null || replace) {
      refusal = why;
    }
  }

  /** Whether requests are refused now. */
  synchronized boolean refusing() {
    return refusal != null || ended;
  }

  /** Admits a request of the peer, to run now or to wait; returns why it is refused, or null. */
  String admit(Packet packet, RequestHandler handler, long startNanos) {
    long channel = packet.channel();
    long tag = packet.tag();
    int bytes = packet.payload().length;
    InboundRequest start = null;
    synchronized (this) {
      if (refusal != null || ended) {
        return refusal != null ? refusal : REFUSE_CLOSING;
      }
      if (tags.containsKey(channel, tag)) {
        return "channel " + channel + ": tag already in use: " + tag;
      }
      if (account.overBudget()) {
        overflowing = true;
        return account.refusal();
      }
      if (running < maxConcurrent && queued.isEmpty() && !holding.getAsBoolean()) {
        start = new InboundRequest(connection, packet, handler, startNanos);
        running++;
        tags.put(channel, tag, start);
      } else if (queued.size() >= maxQueued) {
        overflowing = true;
        return "too many requests: "
            + running
            + " running, "
            + queued.size()
            + " queued (limits maxConcurrentRequests="
            + maxConcurrent
            + ", maxQueuedRequests="
            + maxQueued
            + ")";
      } else if (queuedBytes + bytes > maxQueuedBytes) {
        overflowing = true;
        return "too many requests: "
            + running
            + " running, "
            + queued.size()
            + " queued holding "
            + queuedBytes
            + " bytes, this one "
            + bytes
            + " bytes (limit maxQueuedRequestBytes="
            + maxQueuedBytes
            + ")";
      } else {
        InboundRequest r = new InboundRequest(connection, packet, handler, startNanos);
        tags.put(channel, tag, r);
        queued.add(r);
        queuedBytes += bytes;
        overflowing = false;
      }
      charged += bytes;
      account.add(bytes); // under the monitor, so that end() releases exactly what was added
    }
    if (start != null) {
      execute(start);
    }
    return null;
  }

  /**
   * Runs a request on the executor; one the executor refuses waits at the head of the queue, unless
   * the executor is shut down and will never take it.
   */
  void execute(InboundRequest request) {
    while (request != null) {
      try {
        executor.execute(request);
        return;
      } catch (RejectedExecutionException e) {
        if (!(executor instanceof ExecutorService s && s.isShutdown())) {
          refused(request, e);
          return;
        }
        // shut down: waiting would leave the request, and the peer's call, unanswered for ever
        request = request.refuse(e);
      } catch (RuntimeException | Error e) {
        // a broken executor: the request is answered as failed, its slot freed, the next tried
        request = request.refuse(e);
      }
    }
  }

  private void refused(InboundRequest request, RejectedExecutionException e) {
    long pause;
    synchronized (this) {
      if (ended) {
        running--;
        pause = -1;
      } else {
        running--;
        queued.addFirst(request);
        queuedBytes += request.packet.payload().length;
        if (retryScheduled) {
          return;
        }
        retryScheduled = true;
        retryNanos =
            retryNanos == 0 ? FIRST_RETRY_NANOS : Math.min(2 * retryNanos, MAX_RETRY_NANOS);
        pause = retryNanos;
      }
    }
    if (pause < 0) {
      connection.abandoned(request); // its charge went back when the connection ended
      return;
    }
    connection.executorRefused(e, pause);
    connection.loop().schedule(this::retry, pause);
  }

  private void retry() {
    synchronized (this) {
      retryScheduled = false;
    }
    startQueued();
  }

  /**
   * A request has answered: frees its slot, and returns the queued request that takes the slot over
   * (the caller runs it), or null.
   */
  InboundRequest release(InboundRequest request) {
    boolean idle;
    InboundRequest next = null;
    long bytes = 0;
    synchronized (this) {
      if (!ended) {
        bytes = request.packet.payload().length; // else end() gave it back already
        charged -= bytes;
      }
      if (tags.get(request.packet.channel(), request.packet.tag()) == request) {
        tags.remove(request.packet.channel(), request.packet.tag());
      }
      if (request.slotFreed) {
        // its slot went on to the next request when its handler returned
        freedLater--;
      } else if (!ended && !queued.isEmpty() && !holding.getAsBoolean()) {
        next = queued.poll();
        queuedBytes -= next.packet.payload().length;
        retryNanos = 0;
      } else {
        running--;
      }
      idle = running == 0 && queued.isEmpty() && later.isEmpty();
    }
    account.release(bytes);
    if (idle) {
      connection.inboundIdle();
    }
    return next;
  }

  /** Starts queued requests while there are free slots. */
  void startQueued() {
    List<InboundRequest> start = null;
    synchronized (this) {
      while (!ended && running < maxConcurrent && !queued.isEmpty() && !holding.getAsBoolean()) {
        InboundRequest r = queued.poll();
        queuedBytes -= r.packet.payload().length;
        running++;
        if (start == null) {
          start = new ArrayList<>();
        }
        start.add(r);
      }
    }
    if (start != null) {
      for (InboundRequest r : start) {
        execute(r);
      }
    }
  }

  /**
   * Whether the peer's requests overflow the queue: the last one was refused for the queue's
   * limits. Only then must the connection stop reading a peer whose answers pile up; requests the
   * queue holds never need it, so two peers that both request and answer a lot keep reading.
   */
  synchronized boolean overflowing() {
    return overflowing;
  }

  /** Whether no request runs, waits to start, or awaits an answer that comes later. */
  synchronized boolean isIdle() {
    return running == 0 && queued.isEmpty() && later.isEmpty();
  }

  /** The requests in progress: handlers running, and answers that come later awaited. */
  synchronized int running() {
    return running + freedLater;
  }

  synchronized int queued() {
    return queued.size();
  }

  /** What {@link #awaitLater} returns when the connection has ended already. */
  static final InboundRequest ENDED = new InboundRequest(null, null, null, 0);

  /**
   * Keeps {@code request}, whose answer comes later, until it answers or the connection ends, and
   * gives its slot on: it holds no thread while it waits, so the next queued request takes the slot
   * (returned, for the caller to run), or the slot is freed (null). Up to {@code maxQueuedRequests}
   * requests wait so, without a slot; past that, one keeps its slot while it waits, as every one
   * did before: counted as running, handlers that call their peer back, whose handlers call back in
   * turn, filled every slot with requests waiting for ones queued behind them. Returns {@link
   * #ENDED} if the connection has ended already.
   */
  synchronized InboundRequest awaitLater(InboundRequest request) {
    if (ended) {
      return ENDED;
    }
    later.add(request);
    if (freedLater >= maxQueued) {
      return null; // as many as the queue's limit wait without a slot: this one keeps its own
    }
    request.slotFreed = true;
    freedLater++;
    if (!queued.isEmpty() && !holding.getAsBoolean()) {
      InboundRequest next = queued.poll();
      queuedBytes -= next.packet.payload().length;
      retryNanos = 0;
      return next;
    }
    running--;
    return null;
  }

  synchronized void answeredLater(InboundRequest request) {
    later.remove(request);
  }

  /** After {@link #end()}: the requests still waiting for a later answer, to be ended. */
  List<InboundRequest> endLater() {
    synchronized (this) {
      List<InboundRequest> waiting = new ArrayList<>(later);
      later.clear();
      return waiting;
    }
  }

  /**
   * The connection has ended: the requests that never started are returned (to be reported as
   * ended), nothing starts any more, and the budget charged for every request, running ones
   * included, goes back now rather than when their handlers return.
   */
  List<InboundRequest> end() {
    List<InboundRequest> unstarted;
    long bytes;
    synchronized (this) {
      if (ended) {
        return List.of();
      }
      ended = true;
      unstarted = new ArrayList<>(queued);
      queued.clear();
      queuedBytes = 0;
      for (InboundRequest r : unstarted) {
        tags.remove(r.packet.channel(), r.packet.tag());
      }
      bytes = charged;
      charged = 0;
    }
    account.release(bytes);
    return unstarted;
  }
}
