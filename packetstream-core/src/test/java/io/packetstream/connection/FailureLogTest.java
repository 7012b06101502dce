package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A connection's handler failures stay visible at WARNING however long it lives, one line per kind
 * of failure, while floods of the same failure stay out of the log.
 */
class FailureLogTest {

  private static final String WHAT = "handler for request type 1";

  /** One line logged: its level and text. */
  private record Line(Level level, String text) {}

  /** A System.Logger that keeps every line, whatever its level. */
  private static final class Recorder implements Logger {

    final List<Line> lines = new CopyOnWriteArrayList<>();

    List<Level> levels() {
      return lines.stream().map(Line::level).toList();
    }

    long count(Level level) {
      return lines.stream().filter(l -> l.level() == level).count();
    }

    @Override
    public String getName() {
      return "recorder";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, Supplier<String> msg) {
      lines.add(new Line(level, msg.get()));
    }

    @Override
    public void log(Level level, Supplier<String> msg, Throwable thrown) {
      lines.add(new Line(level, msg.get()));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      lines.add(new Line(level, msg));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      lines.add(new Line(level, format));
    }
  }

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
    Recorder log = new Recorder();
    FailureLog failures = new FailureLog(log, "conn");
    for (int id = 0; id < 100; id++) {
      failures.failed(WHAT, noSuchItem(id));
    }
    assertThat(log.count(Level.WARNING)).isEqualTo(1);
    assertThat(log.lines.get(0).text()).contains("conn").contains(WHAT);

    log.lines.clear();
    failures.failed("handler for request type 7", new NullPointerException("config is null"));
    assertThat(log.levels()).containsExactly(Level.WARNING);
  }

  @Test
  void aNewCauseIsAWarningWhileEveryRememberedCauseIsRecentButAFloodOfThemIsBounded() {
    Recorder log = new Recorder();
    AtomicLong now = new AtomicLong(1_000);
    FailureLog failures = new FailureLog(log, "conn", now::get);
    for (int line = 1; line <= FailureLog.MAX_CAUSES; line++) {
      failures.failed(WHAT, thrownAtLine(line));
    }
    assertThat(log.count(Level.WARNING)).isEqualTo(FailureLog.MAX_CAUSES);

    log.lines.clear();
    failures.failed(WHAT, thrownAtLine(1000)); // every remembered cause is within its window
    assertThat(log.levels()).containsExactly(Level.WARNING);

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
    assertThat(log.levels()).containsExactly(Level.INFO, Level.WARNING);
    int counted = 999 - (FailureLog.MAX_UNREMEMBERED - 1);
    assertThat(log.lines)
        .filteredOn(l -> l.level() == Level.INFO)
        .singleElement()
        .extracting(Line::text)
        .asString()
        .contains(counted + " failures of further causes");
  }

  @Test
  void aCauseWhoseWindowIsOverMakesRoomForANewOneAndItsRepeatsAreSummedUp() {
    Recorder log = new Recorder();
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
        .filteredOn(l -> l.level() == Level.INFO)
        .singleElement()
        .extracting(Line::text)
        .asString()
        .contains("5 more failures like java.lang.IllegalStateException at app.Handler.handle");

    // the new cause is remembered: its repeats are counted, not logged
    log.lines.clear();
    for (int i = 0; i < 10; i++) {
      failures.failed(WHAT, thrownAtLine(100));
    }
    assertThat(log.levels()).containsOnly(Level.DEBUG);
  }
}
