package io.packetstream.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what one class logs through {@link System.Logger}, which goes to java.util.logging when
 * no other logging backend is installed, as it is in these tests. Keeps only the records that name
 * one server, so that another test's server cannot add to them.
 */
final class LogCapture extends Handler implements AutoCloseable {

  private final Logger logger; // held: java.util.logging keeps its loggers only weakly
  private final String mentioning;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  LogCapture(Class<?> logging, String mentioning) {
    this.logger = Logger.getLogger(logging.getName());
    this.mentioning = mentioning;
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** The records kept so far, in order. */
  List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The records at {@code level} or above. */
  List<LogRecord> atLeast(Level level) {
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
  }

  @Override
  public void publish(LogRecord record) {
    String message = record.getMessage();
    if (message != null && message.contains(mentioning)) {
      records.add(record);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
