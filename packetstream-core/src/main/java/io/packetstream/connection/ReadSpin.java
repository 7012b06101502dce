package io.packetstream.connection;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether a reader that found its channel empty polls it for a while or goes to sleep at
 * once. Waking a sleeping thread is most of a loopback round trip on many machines, so polling pays
 * on a busy connection, whose next bytes come within microseconds, and wastes CPU on a quiet one. A
 * reader therefore spins only while its connection is busy: its last spin caught bytes, or its last
 * sleep was shorter than the spin or than {@link #BUSY_GAP_NANOS}, whichever is longer (a spin
 * would have caught those bytes). And at most half the cores' worth of readers of the JVM ({@link
 * #SHARED}) spin at once, so spinning never takes more than half the cores from the work itself.
 *
 * <p>One instance per reader; {@link #tryStart}, {@link #spun} and {@link #slept} are called from
 * that reader's thread only.
 */
final class ReadSpin {

  /**
   * A sleep shorter than this (a millisecond) shows a busy connection, worth spinning for, even
   * when the spin is shorter: a sleep's length includes the wake-up that the spin saves.
   */
  static final long BUSY_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** The readers of this JVM: as many may spin at once as half its cores, at least one. */
  static final Spinners SHARED =
      new Spinners(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));

  private final long nanos;
  private final long busyGap;
  private final Spinners spinners;
  private boolean busy;

  /** The spin of one reader, sharing the JVM's cap on spinning readers. */
  ReadSpin(Duration spin) {
    this(spin, SHARED);
  }

  ReadSpin(Duration spin, Spinners spinners) {
    this.nanos = spin.toNanos();
    this.busyGap = Math.max(nanos, BUSY_GAP_NANOS);
    this.spinners = spinners;
  }

  /** How long one spin may last, in nanoseconds; 0 when this reader never spins. */
  long nanos() {
    return nanos;
  }

  /**
   * Whether the reader should spin now; when true, it must call {@link #spun} once it stops,
   * whatever happened meanwhile.
   */
  boolean tryStart() {
    return nanos != 0 && busy && spinners.tryAcquire();
  }

  /** Ends a spin that {@link #tryStart} allowed; {@code caught}: bytes came while it lasted. */
  void spun(boolean caught) {
    spinners.release(caught);
    busy = caught;
  }

  /** Records a sleep of the reader that ended when bytes came, after {@code sleptNanos}. */
  void slept(long sleptNanos) {
    busy = sleptNanos < busyGap;
  }

  /** A cap on how many readers spin at once. */
  static final class Spinners {
    private final int max;
    private final AtomicInteger spinning = new AtomicInteger();
    private final AtomicLong caught = new AtomicLong();

    Spinners(int max) {
      this.max = max;
    }

    int max() {
      return max;
    }

    int spinning() {
      return spinning.get();
    }

    boolean tryAcquire() {
      int n;
      do {
        n = spinning.get();
        if (n >= max) {
          return false;
        }
      } while (!spinning.compareAndSet(n, n + 1));
      return true;
    }

    /** Ends a spin; {@code caughtBytes}: the spin read bytes before its time was up. */
    void release(boolean caughtBytes) {
      spinning.decrementAndGet();
      if (caughtBytes) {
        caught.incrementAndGet();
      }
    }

    /** How many spins caught bytes so far. */
    long caught() {
      return caught.get();
    }
  }
}
