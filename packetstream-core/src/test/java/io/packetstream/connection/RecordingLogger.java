package io.packetstream.connection;

import java.lang.System.Logger;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps every line at every level, as "LEVEL message", for tests to check. */
final class RecordingLogger implements Logger {

  final List<String> lines = new CopyOnWriteArrayList<>();

  /** How many lines were logged at {@code level}. */
  long count(Level level) {
    return lines.stream().filter(l -> l.startsWith(level.name() + " ")).count();
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
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    lines.add(level.name() + " " + msg);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    lines.add(level.name() + " " + format);
  }
}
