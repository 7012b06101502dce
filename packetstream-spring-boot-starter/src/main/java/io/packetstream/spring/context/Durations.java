package io.packetstream.spring.context;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in the starter's messages as a user writes them in {@code application.yml} ({@code
 * 200ms}, {@code 30s}, Spring's simple style) rather than ISO-8601 ({@code PT0.2S}).
 */
public final class Durations {

  private static final Pattern ISO = Pattern.compile("-?PT(?:-?[0-9]+(?:\\.[0-9]+)?[HMS])+");

  private static final long[] NANOS = {
    86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L
  };
  private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};

  private Durations() {}

  /**
   * {@code d} in the largest unit that states it exactly: {@code 200ms}, {@code 90s}, {@code 2d}.
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    Duration abs = d.abs();
    String sign = d.isNegative() ? "-" : "";
    for (int i = 0; i < UNITS.length - 1; i++) {
      long n = NANOS[i];
      boolean exact =
          n >= 1_000_000_000L
              ? abs.toNanosPart() == 0 && abs.getSeconds() % (n / 1_000_000_000L) == 0
              : abs.toNanosPart() % n == 0;
      if (exact) {
        return sign + abs.dividedBy(Duration.ofNanos(n)) + UNITS[i];
      }
    }
    try {
      return sign + abs.toNanos() + "ns";
    } catch (ArithmeticException tooLong) {
      return d.toString(); // over 292 years with a part below a microsecond
    }
  }

  /**
   * {@code text} with every ISO-8601 duration in it ({@code PT0.2S}) written by {@link #format}.
   */
  public static String inText(String text) {
    Matcher m = ISO.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String replacement;
      try {
        replacement = format(Duration.parse(m.group()));
      } catch (DateTimeParseException e) {
        replacement = m.group();
      }
      m.appendReplacement(b, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(b).toString();
  }
}
