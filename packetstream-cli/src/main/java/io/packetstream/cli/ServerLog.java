package io.packetstream.cli;

import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts what a server's log says it dropped, by reason, for {@code hostile}: the lines the library
 * logs at INFO and above about the connections it ends or refuses (java.util.logging's default
 * format puts {@code LEVEL: message} on a line of its own), and each line's count of connections
 * ("N more connections ... now NAME: why" names N + 1).
 */
final class ServerLog {

  /** Why the server dropped connections, as its log lines say. */
  enum Reason {
    /** The peer sent bytes that are not frames (or left inside one). */
    malformed,
    /** The peer stalled inside a frame for the read timeout. */
    read_timeout,
    /** The peer was idle for the idle timeout. */
    idle,
    /** The server was full (maxConnections). */
    refused,
    /** Any other line at INFO or above. */
    other
  }

  private static final Pattern LEVEL = Pattern.compile("^(SEVERE|WARNING|INFO|ERROR|WARN): (.*)$");
  private static final Pattern MORE = Pattern.compile("^(\\d+) more connections ");
  private static final Pattern REFUSED = Pattern.compile("refused (\\d+) connections");

  private final Map<Reason, long[]> counts = new EnumMap<>(Reason.class); // {lines, connections}
  private long outOfMemory;

  ServerLog() {
    for (Reason r : Reason.values()) {
      counts.put(r, new long[2]);
    }
  }

  /** Counts one line of the log as the server wrote it. */
  void line(String line) {
    if (line.contains("OutOfMemoryError")) {
      outOfMemory++;
    }
    Matcher m = LEVEL.matcher(line);
    if (m.matches()) {
      message(m.group(2));
    }
  }

  /** Counts one message logged at INFO or above. */
  void message(String message) {
    Reason reason;
    if (message.contains("receiving failed") || message.contains("malformed frames")) {
      reason = Reason.malformed;
    } else if (message.contains("read timed out") || message.contains("read timeout")) {
      reason = Reason.read_timeout;
    } else if (message.contains("idleTimeout=") || message.contains("idle timeout")) {
      reason = Reason.idle;
    } else if (message.contains("limit maxConnections")) {
      reason = Reason.refused;
    } else {
      reason = Reason.other;
    }
    long[] c = counts.get(reason);
    c[0]++;
    Matcher more = MORE.matcher(message);
    Matcher refused = REFUSED.matcher(message);
    if (more.find()) {
      c[1] += Long.parseLong(more.group(1)) + 1;
    } else if (refused.find()) {
      c[1] += Long.parseLong(refused.group(1));
    } else {
      c[1]++;
    }
  }

  /** Lines seen for {@code reason}. */
  long lines(Reason reason) {
    return counts.get(reason)[0];
  }

  /** Connections those lines name, counts included. */
  long connections(Reason reason) {
    return counts.get(reason)[1];
  }

  /** Lines that mention an OutOfMemoryError. */
  long outOfMemory() {
    return outOfMemory;
  }
}
