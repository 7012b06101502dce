package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a reader may spin: only while its connection is busy, and only so many at once. */
class ReadSpinPolicyTest {

  private static final long MICROS = 1_000;

  // each policy test has a cap of its own: the JVM's shared one may be held by a reader of
  // another test's connection, still finishing a spin

  private final List<ReadSpin> started = new ArrayList<>();

  @AfterEach
  void endSpins() {
    started.forEach(s -> s.spun(false));
  }

  @Test
  void aNewReaderSleepsFirstAndSpinsOnceItsSleepsAreShort() {
    ReadSpin spin = new ReadSpin(Duration.ofNanos(50 * MICROS), new ReadSpin.Spinners(1));
    assertThat(spin.tryStart()).as("before any traffic").isFalse();

    spin.slept(Duration.ofSeconds(2).toNanos());
    assertThat(spin.tryStart()).as("after a long sleep").isFalse();

    spin.slept(300 * MICROS);
    assertThat(start(spin)).as("after a sleep under a millisecond").isTrue();
  }

  @Test
  void aSpinThatCatchesBytesKeepsSpinningAndOneThatMissesSleepsNextTime() {
    ReadSpin spin = new ReadSpin(Duration.ofNanos(50 * MICROS), new ReadSpin.Spinners(1));
    spin.slept(100 * MICROS);
    assertThat(spin.tryStart()).isTrue();
    spin.spun(true);
    assertThat(spin.tryStart()).as("after a spin that caught bytes").isTrue();
    spin.spun(false);
    assertThat(spin.tryStart()).as("after a spin that caught nothing").isFalse();
  }

  @Test
  void aLongSpinCountsSleepsShorterThanItselfAsBusy() {
    ReadSpin spin = new ReadSpin(Duration.ofMillis(20), new ReadSpin.Spinners(1));
    spin.slept(Duration.ofMillis(10).toNanos());
    assertThat(start(spin)).isTrue();
  }

  @Test
  void aZeroSpinNeverSpins() {
    ReadSpin spin = new ReadSpin(Duration.ZERO, new ReadSpin.Spinners(1));
    spin.slept(1);
    assertThat(spin.tryStart()).isFalse();
  }

  @Test
  void noMoreReadersSpinAtOnceThanTheCapAllows() {
    ReadSpin.Spinners cap = new ReadSpin.Spinners(2);
    List<ReadSpin> readers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ReadSpin spin = new ReadSpin(Duration.ofNanos(50 * MICROS), cap);
      spin.slept(10 * MICROS);
      readers.add(spin);
    }
    assertThat(start(readers.get(0))).isTrue();
    assertThat(start(readers.get(1))).isTrue();
    assertThat(readers.get(2).tryStart()).as("one reader more than the cap").isFalse();
    assertThat(cap.spinning()).isEqualTo(2);

    started.remove(readers.get(0));
    readers.get(0).spun(true);
    assertThat(cap.caught()).isEqualTo(1);
    assertThat(start(readers.get(2))).as("once a spinner stopped").isTrue();
    assertThat(cap.spinning()).isEqualTo(2);
  }

  @Test
  void busyConnectionsSpin() throws Exception {
    long before = ReadSpin.SHARED.caught();
    // a spin of 5 ms outlasts any round trip over pipes here, even with threads to wake on the
    // other side: back to back, many answers arrive while the requester's reader spins
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().readSpin(Duration.ofMillis(5)),
            PacketConnection.builder()
                .executor(Runnable::run)
                .handler(rq -> Response.ok(rq.flags(), rq.payload())))) {
      for (int i = 0; i < 500; i++) {
        pair.left.call(0, 0, i, new byte[] {(byte) i}, Duration.ofSeconds(5));
      }
    }
    assertThat(ReadSpin.SHARED.caught() - before).as("spins that caught bytes").isPositive();
  }

  @Test
  void connectionsDoNotSpinByDefault() throws Exception {
    long before = ReadSpin.SHARED.caught();
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(rq -> Response.ok(rq.flags(), rq.payload())))) {
      for (int i = 0; i < 500; i++) {
        pair.left.call(0, 0, i, new byte[] {(byte) i}, Duration.ofSeconds(5));
      }
    }
    assertThat(ReadSpin.SHARED.caught() - before).as("spins that caught bytes").isZero();
  }

  @Test
  void theJvmsReadersShareACapOfHalfTheCores() {
    assertThat(ReadSpin.SHARED.max())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  private boolean start(ReadSpin spin) {
    boolean ok = spin.tryStart();
    if (ok) {
      started.add(spin);
    }
    return ok;
  }
}
