package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Peers that each send garbage on a connection of their own are logged once per window with a
 * count, not once per connection.
 */
class PeerFaultLogTest {

  private static final long WINDOW = TimeUnit.SECONDS.toNanos(30);

  private final RecordingLogger recorder = new RecordingLogger();

  /** The lines logged, as "LEVEL message". */
  private final List<String> lines = recorder.lines;

  private final AtomicLong now = new AtomicLong(1_000);
  private final PeerFaultLog log =
      new PeerFaultLog(recorder, Level.WARNING, "failed on malformed frames", WINDOW, now::get);

  @Test
  void logsTheFirstInFullAndCountsTheRestOfItsWindow() {
    for (int i = 1; i <= 100; i++) {
      log.ended("server#" + i, "receiving failed: bad frame " + i);
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(10)); // 100 peers in one second
    }
    List<String> warnings = lines.stream().filter(l -> l.startsWith("WARNING")).toList();
    assertThat(warnings)
        .containsExactly(
            "WARNING server#1: receiving failed: bad frame 1"
                + " (further connections failed on malformed frames are counted and logged once per 30 s)");
    assertThat(lines.stream().filter(l -> l.startsWith("DEBUG")))
        .hasSize(99)
        .contains("DEBUG server#100: receiving failed: bad frame 100");
  }

  @Test
  void aFaultAfterTheWindowIsLoggedWithTheCountSinceTheLastLine() {
    log.ended("server#1", "why 1");
    log.ended("server#2", "why 2");
    log.ended("server#3", "why 3");
    now.addAndGet(WINDOW - 1);
    log.ended("server#4", "why 4");
    now.addAndGet(1);
    log.ended("server#5", "why 5");
    now.addAndGet(WINDOW);
    log.ended("server#6", "why 6");
    assertThat(lines.stream().filter(l -> !l.startsWith("DEBUG")))
        .containsExactly(
            "WARNING server#1: why 1 (further connections failed on malformed frames are counted and"
                + " logged once per 30 s)",
            "WARNING 3 more connections failed on malformed frames since the last such line; now"
                + " server#5: why 5",
            "WARNING server#6: why 6 (further connections failed on malformed frames are counted and"
                + " logged once per 30 s)");
  }
}
