package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.AtomicHistogram;

/**
 * The well-behaved clients of {@code hostile}: library connections ({@link PacketClient}) to one
 * server, each playing the rr load ({@link RrLoad}) at its window for as long as a phase lasts, on
 * a thread of its own, with payloads that are no palindromes. Every answer is checked; a wrong or
 * missing answer, a failed request or one that waits longer than the request timeout is an error,
 * and a connection that breaks is counted and plays no further phase.
 */
final class GoodClients implements AutoCloseable {

  /**
   * One phase: {@code answered} requests in {@code nanos}, with these latencies (right answers
   * only); {@code errors} over the phase; {@code broken} connections so far.
   */
  record Phase(long answered, long errors, long nanos, AtomicHistogram latencies, int broken) {

    long rps() {
      return nanos == 0 ? 0 : Math.round(answered * 1e9 / nanos);
    }

    double p99Micros() {
      return latencies.getValueAtPercentile(99) / 1000.0;
    }

    double maxMicros() {
      return latencies.getMaxValue() / 1000.0;
    }

    double p50Micros() {
      return latencies.getValueAtPercentile(50) / 1000.0;
    }
  }

  private final List<PacketConnection> connections = new ArrayList<>();
  private final List<String> why = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<RrLoad> loads = new ArrayList<>();
  private final boolean[] broken;
  private final int chunk;
  private final long timeoutNanos;
  private long next;

  /** Opens {@code count} connections to 127.0.0.1:{@code port}. */
  GoodClients(int port, int count, int window, int payloadBytes, long timeoutNanos)
      throws IOException {
    this.broken = new boolean[count];
    this.chunk = Math.max(64, window * 64);
    this.timeoutNanos = timeoutNanos;
    try {
      for (int i = 0; i < count; i++) {
        PacketConnection c =
            PacketClient.connect(
                "127.0.0.1",
                port,
                PacketConnection.builder()
                    .name("hostile good client " + (i + 1))
                    .closeTimeout(Duration.ofSeconds(5)));
        connections.add(c);
        loads.add(new RrLoad(c, window, payloadBytes, true));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Plays the load on every unbroken connection for {@code nanos}; the last chunks may run over.
   */
  Phase run(long nanos) throws InterruptedException {
    AtomicHistogram latencies = RrLoad.histogram();
    AtomicLong answered = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + nanos;
    for (int i = 0; i < loads.size(); i++) {
      if (broken[i]) {
        continue;
      }
      int index = i;
      RrLoad load = loads.get(i);
      long first = next;
      next += 1L << 40; // each client's request numbers stay apart in every phase
      Thread t =
          new Thread(
              () -> {
                long answeredBefore = load.answered();
                long errorsBefore = load.errors();
                long n = first;
                try {
                  while (System.nanoTime() - end < 0) {
                    if (!load.run(n, chunk, latencies, timeoutNanos)) {
                      broken[index] = true;
                      PacketConnection c = connections.get(index);
                      why.add(
                          c.name()
                              + " "
                              + c.state().name().toLowerCase()
                              + c.failure().map(f -> " (" + f + ")").orElse("")
                              + " after "
                              + (n - first)
                              + " requests of the phase");
                      break;
                    }
                    n += chunk;
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                answered.addAndGet(load.answered() - answeredBefore);
                errors.addAndGet(load.errors() - errorsBefore);
              },
              "hostile good client " + (i + 1));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long elapsed = System.nanoTime() - start;
    int brokenNow = 0;
    for (boolean b : broken) {
      brokenNow += b ? 1 : 0;
    }
    return new Phase(answered.get(), errors.get(), elapsed, latencies, brokenNow);
  }

  /** What became of each connection that broke, one line each, in the order they broke. */
  List<String> brokenConnections() {
    return List.copyOf(why);
  }

  @Override
  public void close() {
    for (PacketConnection c : connections) {
      c.close();
    }
  }
}
