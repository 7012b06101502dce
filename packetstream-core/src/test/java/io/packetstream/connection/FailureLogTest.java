package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A connection's handler failures stay visible at WARNING however long it lives, one line per kind
 * of failure, while floods of the same failure stay out of the log.
 */
class FailureLogTest {

  private static final String WHAT = "handler for request type 1";

  /** Thrown from one place whatever the id, as a handler's "not found" is. */
  private static IllegalArgumentException noSuchItem(int id) {
    return new IllegalArgumentException("no such item " + id);
  }

  /** An exception thrown from line {@code line} of some handler: one cause per line. */
  private static IllegalStateException thrownAtLine(int line) {
    IllegalStateException e = new IllegalStateException("failed at line " + line);
    e.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement("app.Handler", "handle", "Handler.java", line)
        });
    return e;
  }

  @Test
  void failuresThatDifferOnlyInTheirMessagesAreOneCauseAndANewKindIsStillAWarning() {
    RecordingLogger log = new RecordingLogger();
    FailureLog failures = new FailureLog(log, "conn");
    for (int id = 0; id < 100; id++) {
      failures.failed(WHAT, noSuchItem(id));
    }
    assertThat(log.count(Level.WARNING)).isEqualTo(1);
    assertThat(log.lines.get(0)).startsWith("WARNING conn: " + WHAT + " failed");

    log.lines.clear();
    failures.failed("handler for request type 7", new NullPointerException("config is null"));
    assertThat(log.lines).singleElement().asString().startsWith("WARNING");
  }

  @Test
  void aNewCauseIsAWarningWhileEveryRememberedCauseIsRecentButAFloodOfThemIsBounded() {
    RecordingLogger log = new RecordingLogger();
    AtomicLong now = new AtomicLong(1_000);
    FailureLog failures = new FailureLog(log, "conn", now::get);
    for (int line = 1; line <= FailureLog.MAX_CAUSES; line++) {
      failures.failed(WHAT, thrownAtLine(line));
    }
    assertThat(log.count(Level.WARNING)).isEqualTo(FailureLog.MAX_CAUSES);

    log.lines.clear();
    failures.failed(WHAT, thrownAtLine(1000)); // every remembered cause is within its window
    assertThat(log.lines).singleElement().asString().startsWith("WARNING");

    log.lines.clear();
    for (int line = 1001; line < 2000; line++) {
      failures.failed(WHAT, thrownAtLine(line));
    }
    assertThat(log.count(Level.WARNING))
        .as("warnings for a flood of new causes within a minute")
        .isEqualTo(FailureLog.MAX_UNREMEMBERED - 1);
    assertThat(log.count(Level.INFO)).isZero();

    // a minute on, a new cause is a warning again, and what the flood left out is summed up
    now.addAndGet(FailureLog.WINDOW_NANOS);
    log.lines.clear();
    failures.failed(WHAT, thrownAtLine(3000));
    int counted = 999 - (FailureLog.MAX_UNREMEMBERED - 1);
    assertThat(log.lines).hasSize(2);
    assertThat(log.lines.get(0))
        .startsWith("INFO conn: " + counted + " failures of further causes");
    assertThat(log.lines.get(1)).startsWith("WARNING");
  }

  @Test
  void aCauseWhoseWindowIsOverMakesRoomForANewOneAndItsRepeatsAreSummedUp() {
    RecordingLogger log = new RecordingLogger();
    AtomicLong now = new AtomicLong(-5_000); // any value nanoTime might give
    FailureLog failures = new FailureLog(log, "conn", now::get);
    for (int line = 1; line <= FailureLog.MAX_CAUSES; line++) {
      failures.failed(WHAT, thrownAtLine(line));
    }
    for (int i = 0; i < 5; i++) {
      failures.failed(WHAT, thrownAtLine(1));
    }
    assertThat(log.count(Level.WARNING)).isEqualTo(FailureLog.MAX_CAUSES);

    now.addAndGet(FailureLog.WINDOW_NANOS);
    log.lines.clear();
    failures.failed(WHAT, thrownAtLine(100));
    assertThat(log.count(Level.WARNING)).isEqualTo(1);
    assertThat(log.lines)
        .filteredOn(l -> l.startsWith("INFO"))
        .singleElement()
        .asString()
        .contains("5 more failures like java.lang.IllegalStateException at app.Handler.handle");

    // the new cause is remembered: its repeats are counted, not logged
    log.lines.clear();
    for (int i = 0; i < 10; i++) {
      failures.failed(WHAT, thrownAtLine(100));
    }
    assertThat(log.lines).allMatch(l -> l.startsWith("DEBUG"));
  }

  private static Throwable missing(String what) {
    try {
      java.util.Objects.requireNonNull(null, what);
      return null;
    } catch (NullPointerException e) {
      return e;
    }
  }

  private static Throwable customerBug() {
    return missing("customer");
  }

  private static Throwable priceBug() {
    return missing("price");
  }

  /**
   * Two unrelated bugs thrown through one shared helper (Objects.requireNonNull) are two causes:
   * the top frame alone is the helper's line, the same for every caller, so the second bug was
   * never a WARNING while the first recurred.
   */
  @Test
  void twoBugsThrownThroughTheSameHelperAreTwoCauses() {
    RecordingLogger log = new RecordingLogger();
    FailureLog failures = new FailureLog(log, "conn");

    failures.failed("handler for request type 1", customerBug());
    failures.failed("handler for request type 1", priceBug());

    assertThat(log.count(Level.WARNING)).isEqualTo(2);
  }
}
