package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.HdrHistogram.AtomicHistogram;

/**
 * Plays the rr load over one connection: requests of type 0, request i carrying B bytes of {@code
 * (byte) i}, at most W in flight, each answer checked against the reversed payload.
 *
 * <p>The window is driven from the completion callbacks, which the connection runs on its reader
 * thread: each of the W {@link Slot}s submits its next request as soon as its previous answer
 * arrives, so no thread waits per request and nothing is allocated per request beyond what {@code
 * submit} itself needs. Payloads are 256 arrays made once and shared, never changed.
 */
final class RrLoad {

  /** The longest latency the histogram tracks; longer ones are recorded as this. */
  static final long MAX_TRACKED_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final PacketConnection connection;
  private final int window;
  private final byte[][] payloads = new byte[256][];
  private final byte[][] expected = new byte[256][];
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();

  RrLoad(PacketConnection connection, int window, int payloadBytes) {
    this(connection, window, payloadBytes, false);
  }

  /**
   * With {@code noPalindromes}, payload i is {@code (byte) (i + k)} at offset k instead of B bytes
   * of {@code (byte) i}, so that a peer that echoes instead of reversing answers wrongly (payloads
   * of 2 bytes or more).
   */
  RrLoad(PacketConnection connection, int window, int payloadBytes, boolean noPalindromes) {
    if (window < 1) {
      throw new IllegalArgumentException("window " + window + " is below 1");
    }
    this.connection = connection;
    this.window = window;
    for (int b = 0; b < 256; b++) {
      byte[] p = new byte[payloadBytes];
      for (int k = 0; k < payloadBytes; k++) {
        p[k] = (byte) (noPalindromes ? b + k : b);
      }
      payloads[b] = p;
      expected[b] = ConformanceHandler.reversed(p);
    }
  }

  /** Mismatches, failures and missing answers so far, over every phase. */
  long errors() {
    return errors.get();
  }

  /**
   * Answers counted so far, right or wrong, over every phase; an answer that arrives after its
   * phase was counted is not among them (it was counted as missing).
   */
  long answered() {
    return answered.get();
  }

  /** A histogram of latencies in nanoseconds, for {@link #run}. */
  static AtomicHistogram histogram() {
    return new AtomicHistogram(MAX_TRACKED_NANOS, 3);
  }

  /**
   * Sends requests {@code first} to {@code first + count - 1} and waits for their answers, at most
   * {@code timeoutNanos}; records each latency into {@code latencies} unless it is null.
   *
   * <p>Requests still unanswered when it returns count as errors, once: answers that arrive later
   * are ignored, and send nothing more.
   *
   * @return true if every request was answered (rightly or wrongly) in time
   */
  boolean run(long first, long count, AtomicHistogram latencies, long timeoutNanos)
      throws InterruptedException {
    Phase phase = new Phase(first, first + count, latencies);
    for (int i = 0; i < window && i < count; i++) {
      new Slot(phase).issue();
    }
    boolean finished = phase.done.await(timeoutNanos, TimeUnit.NANOSECONDS) && !phase.broken;
    long counted;
    synchronized (phase) {
      phase.closed = true;
      counted = phase.completed;
    }
    answered.addAndGet(counted);
    long unanswered = count - counted;
    if (unanswered > 0) {
      errors.addAndGet(unanswered);
    }
    return finished;
  }

  /**
   * One phase of the run: the indices still to send and the answers still to come. Answers are
   * counted under its lock until {@link #run} closes it and counts the rest as missing.
   */
  private static final class Phase {
    final long end;
    final AtomicHistogram latencies;
    final AtomicLong next;
    final long count;
    final CountDownLatch done = new CountDownLatch(1);
    volatile boolean broken;

    /** Answers counted; guarded by this phase's lock. */
    long completed;

    /** Set once {@link #run} has counted the phase; read without the lock only to stop early. */
    volatile boolean closed;

    Phase(long first, long end, AtomicHistogram latencies) {
      this.end = end;
      this.latencies = latencies;
      this.next = new AtomicLong(first);
      this.count = end - first;
    }
  }

  /** One place in the window: sends a request, and the next one when its answer arrives. */
  private final class Slot implements BiConsumer<Response, Throwable> {
    private final Phase phase;
    private long index;
    private long startNanos;

    Slot(Phase phase) {
      this.phase = phase;
    }

    void issue() {
      long i = phase.next.getAndIncrement();
      if (i >= phase.end || phase.broken || phase.closed) {
        return;
      }
      index = i;
      startNanos = System.nanoTime();
      connection.submit(0, 0, payloads[(int) i & 0xFF]).whenComplete(this);
    }

    @Override
    public void accept(Response response, Throwable error) {
      long latency = System.nanoTime() - startNanos;
      if (error != null) {
        // the connection is gone or refusing: stop here rather than fail every request in turn
        phase.broken = true;
        phase.done.countDown();
        return;
      }
      boolean right =
          response.ok() && Arrays.equals(response.payload(), expected[(int) index & 0xFF]);
      boolean last;
      synchronized (phase) {
        if (phase.closed) {
          return; // too late: run counted this request as missing
        }
        if (!right) {
          errors.incrementAndGet();
        } else if (phase.latencies != null) {
          phase.latencies.recordValue(Math.min(latency, MAX_TRACKED_NANOS));
        }
        last = ++phase.completed == phase.count;
      }
      if (last) {
        phase.done.countDown();
      } else {
        issue();
      }
    }
  }
}
