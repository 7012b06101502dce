package io.packetstream.cli;

import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.wire.Packet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reply table of {@code serve}: which answer each request gets, by channel and request type,
 * read from a replies file or echoing everything. Immutable once built.
 *
 * <p>The file has one rule per line; {@code #} starts a comment (outside quotes), blank lines are
 * skipped:
 *
 * <pre>
 * MATCH [channel=N] -&gt; ok|fail [flags=N] [delay=MS]
 *     [echo | text "TEXT" | hex HEX... | file PATH]
 * </pre>
 *
 * MATCH is a request type (a non-negative integer) or {@code *}, the channel's default for types
 * without a rule of their own; a rule without {@code channel=} is for channel 0. The answer is ok
 * or not, with {@code flags} (default 0; for {@code echo}, the request's) and a payload: the
 * request's ({@code echo}), a UTF-8 text in double quotes (escapes {@code \" \\ \n \r \t}), hex
 * bytes, a file's bytes (a relative path is read from the replies file's directory), or nothing;
 * {@code delay} holds the answer back that many milliseconds (at most {@value #MAX_DELAY_MS}), to
 * mock a slow peer, without holding a thread. Requests of a type with no rule and no default get
 * the original's answer to an unknown type, not ok with {@value Response#HANDLER_EXCEPTION};
 * requests on a channel other than 0 that has no rule at all get the library's refusal of an
 * unknown channel.
 */
final class Replies {

  /** The longest replies file read: a table is a few lines, not a data set. */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  /** The longest payload a {@code file} answer takes: the library's default longest frame. */
  static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

  /** The longest {@code delay=}: long enough to trip a caller's timeout, short enough to stop. */
  static final long MAX_DELAY_MS = 60_000;

  /** What a rule answers. */
  enum Body {
    /** The request's payload (and flags, unless the rule sets them). */
    ECHO,
    /** The rule's fixed bytes. */
    FIXED
  }

  /**
   * One line of the table.
   *
   * @param line the line of the file it came from (0 for the built-in echo)
   * @param ok whether the answer is ok
   * @param flags the answer's flags, or null to echo the request's
   * @param body where the payload comes from
   * @param payload the fixed payload, for {@link Body#FIXED}
   * @param delayMs how long the answer is held back, in milliseconds
   */
  record Rule(int line, boolean ok, Long flags, Body body, byte[] payload, long delayMs) {

    Response answer(Request request) {
      long f = flags != null ? flags : body == Body.ECHO ? request.flags() : 0;
      if (f > Packet.MAX_RESULT_FLAGS) {
        return Response.failure("echo: flags " + f + " do not fit a response");
      }
      byte[] p = body == Body.ECHO ? request.payload() : payload;
      return ok ? Response.ok(f, p) : Response.failure(f, p);
    }
  }

  private static final Rule ECHO_ALL = new Rule(0, true, null, Body.ECHO, null, 0);

  /** Rules by channel, then by type; a type of -1 is the channel's default. */
  private final Map<Long, Map<Long, Rule>> rules;

  private Replies(Map<Long, Map<Long, Rule>> rules) {
    Map<Long, Map<Long, Rule>> copy = new HashMap<>();
    rules.forEach((channel, byType) -> copy.put(channel, Map.copyOf(byType)));
    this.rules = Map.copyOf(copy);
  }

  /** The table without a file: every request on channel 0 echoed, ok, same flags and payload. */
  static Replies echo() {
    return new Replies(Map.of(0L, Map.of(-1L, ECHO_ALL)));
  }

  /**
   * Reads a replies file.
   *
   * @throws IllegalArgumentException when it cannot be read or a line is wrong, with a message
   *     naming the file, line and column
   */
  static Replies read(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(
            file + ": longer than " + MAX_FILE_BYTES + " bytes; is it a replies file?");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the replies file " + file + ": " + e);
    }
    String text = CallCommand.utf8(bytes);
    if (text == null) {
      throw new IllegalArgumentException(file + ": not UTF-8 text");
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(file.toString(), text, dir);
  }

  /** Parses a table's text; {@code name} names it in errors, {@code dir} resolves file paths. */
  static Replies parse(String name, String text, Path dir) {
    Map<Long, Map<Long, Rule>> rules = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      LineParser p = new LineParser(name, i + 1, lines[i], dir);
      p.rule(rules);
    }
    rules.computeIfAbsent(0L, c -> new HashMap<>());
    return new Replies(rules);
  }

  /** The longest delay of any rule, in milliseconds; 0 when none holds its answer back. */
  long longestDelayMs() {
    return rules.values().stream()
        .flatMap(byType -> byType.values().stream())
        .mapToLong(Rule::delayMs)
        .max()
        .orElse(0);
  }

  /** The channels served, 0 and those that have rules; the server refuses the others. */
  Set<Long> channels() {
    return new TreeSet<>(rules.keySet());
  }

  /** The rule that answers this request, or null when none does. */
  Rule rule(Request request) {
    Map<Long, Rule> byType = rules.get(request.channel());
    if (byType == null) {
      return null;
    }
    Rule rule = byType.get(request.rqType());
    return rule != null ? rule : byType.get(-1L);
  }

  /** Reads one line of a replies file into the rules. */
  private static final class LineParser {

    private final String name;
    private final int lineNumber;
    private final String line;
    private final Path dir;
    private int pos;
    private int tokenColumn;

    LineParser(String name, int lineNumber, String line, Path dir) {
      this.name = name;
      this.lineNumber = lineNumber;
      this.line = line;
      this.dir = dir;
    }

    void rule(Map<Long, Map<Long, Rule>> rules) {
      String first = next();
      if (first == null) {
        return; // blank or comment
      }
      int matchColumn = tokenColumn;
      long type = first.equals("*") ? -1 : number(first, "a request type or *", Packet.MAX_RQ_TYPE);
      long channel = 0;
      String word = expect("channel=N or ->");
      if (word.startsWith("channel=")) {
        channel = number(word.substring("channel=".length()), "a channel number", Long.MAX_VALUE);
        word = expect("->");
      }
      if (!word.equals("->")) {
        throw error("expected -> but found '" + word + "'");
      }
      word = expect("ok or fail");
      boolean ok;
      if (word.equals("ok")) {
        ok = true;
      } else if (word.equals("fail")) {
        ok = false;
      } else {
        throw error("expected ok or fail but found '" + word + "'");
      }
      Long flags = null;
      Long delay = null;
      Body body = null;
      byte[] payload = new byte[0];
      for (word = next(); word != null; word = next()) {
        if (word.startsWith("flags=")) {
          long max = Packet.MAX_RESULT_FLAGS;
          flags = setting(word, flags, "flags from 0 to " + max, max);
          continue;
        }
        if (word.startsWith("delay=")) {
          String what = "a delay from 0 to " + MAX_DELAY_MS + " milliseconds";
          delay = setting(word, delay, what, MAX_DELAY_MS);
          continue;
        }
        if (body != null) {
          throw error("a rule has one payload; found '" + word + "' after it");
        }
        switch (word) {
          case "echo" -> body = Body.ECHO;
          case "text" -> {
            body = Body.FIXED;
            payload = quoted("text").getBytes(StandardCharsets.UTF_8);
          }
          case "hex" -> {
            body = Body.FIXED;
            payload = hex();
          }
          case "file" -> {
            body = Body.FIXED;
            payload = file();
          }
          default ->
              throw error(
                  "expected flags=N, delay=MS, echo, text, hex or file but found '" + word + "'");
        }
      }
      Rule rule =
          new Rule(
              lineNumber,
              ok,
              flags,
              body == null ? Body.FIXED : body,
              payload,
              delay == null ? 0 : delay);
      Rule earlier = rules.computeIfAbsent(channel, c -> new HashMap<>()).putIfAbsent(type, rule);
      if (earlier != null) {
        tokenColumn = matchColumn;
        throw error(
            (type < 0 ? "the default *" : "type " + type)
                + " on channel "
                + channel
                + " already has a rule, on line "
                + earlier.line());
      }
    }

    /**
     * The value of a {@code name=N} word from 0 to {@code max}, which must not have been given
     * before ({@code earlier} is its value so far, or null).
     */
    private long setting(String word, Long earlier, String what, long max) {
      String name = word.substring(0, word.indexOf('='));
      if (earlier != null) {
        throw error(name + " given twice");
      }
      return number(word.substring(name.length() + 1), what, max);
    }

    /** The next word, or null at the end of the line or at a comment. */
    private String next() {
      while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) {
        pos++;
      }
      tokenColumn = pos + 1;
      if (pos >= line.length() || line.charAt(pos) == '#') {
        pos = line.length();
        return null;
      }
      int start = pos;
      while (pos < line.length() && !Character.isWhitespace(line.charAt(pos))) {
        pos++;
      }
      return line.substring(start, pos);
    }

    private String expect(String what) {
      String word = next();
      if (word == null) {
        throw error("expected " + what + " but the line ends");
      }
      return word;
    }

    private long number(String text, String what, long max) {
      long n;
      try {
        n = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw error("expected " + what + " but found '" + text + "'");
      }
      if (n < 0 || n > max) {
        throw error("expected " + what + " but found " + n);
      }
      return n;
    }

    /** A double-quoted string after {@code what}, its escapes resolved. */
    private String quoted(String what) {
      while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) {
        pos++;
      }
      tokenColumn = pos + 1;
      if (pos >= line.length() || line.charAt(pos) != '"') {
        throw error(what + " needs a double-quoted string");
      }
      int open = pos++;
      StringBuilder s = new StringBuilder();
      while (pos < line.length()) {
        char ch = line.charAt(pos++);
        if (ch == '"') {
          if (pos < line.length() && !Character.isWhitespace(line.charAt(pos))) {
            tokenColumn = pos + 1;
            throw error("expected a space after the closing quote");
          }
          return s.toString();
        }
        if (ch != '\\') {
          s.append(ch);
          continue;
        }
        if (pos >= line.length()) {
          break;
        }
        char escaped = line.charAt(pos++);
        switch (escaped) {
          case '"', '\\' -> s.append(escaped);
          case 'n' -> s.append('\n');
          case 'r' -> s.append('\r');
          case 't' -> s.append('\t');
          default -> {
            tokenColumn = pos - 1;
            throw error("unknown escape \\" + escaped + " (known: \\\" \\\\ \\n \\r \\t)");
          }
        }
      }
      tokenColumn = open + 1;
      throw error("the string has no closing quote");
    }

    /** Hex bytes: the words after {@code hex}, up to the line's end or a setting ({@code x=N}). */
    private byte[] hex() {
      StringBuilder digits = new StringBuilder();
      int hexColumn = tokenColumn;
      while (true) {
        int before = pos;
        String word = next();
        if (word == null || word.startsWith("flags=") || word.startsWith("delay=")) {
          pos = before;
          break;
        }
        for (int i = 0; i < word.length(); i++) {
          if (Character.digit(word.charAt(i), 16) < 0) {
            tokenColumn += i;
            throw error("'" + word.charAt(i) + "' is not a hex digit");
          }
        }
        digits.append(word);
      }
      if (digits.length() % 2 != 0) {
        tokenColumn = hexColumn;
        throw error("hex needs an even number of digits, found " + digits.length());
      }
      return HexFormat.of().parseHex(digits);
    }

    /** The bytes of the file named by the next word (or quoted string). */
    private byte[] file() {
      while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) {
        pos++;
      }
      String path =
          pos < line.length() && line.charAt(pos) == '"' ? quoted("file") : expect("a file path");
      Path resolved = dir == null ? Path.of(path) : dir.resolve(path);
      try {
        if (Files.size(resolved) > MAX_PAYLOAD_BYTES) {
          throw error(path + " is longer than " + MAX_PAYLOAD_BYTES + " bytes");
        }
        return Files.readAllBytes(resolved);
      } catch (IOException e) {
        throw error("cannot read " + resolved + ": " + e);
      }
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException(
          name + ":" + lineNumber + ":" + tokenColumn + ": " + message);
    }
  }
}
