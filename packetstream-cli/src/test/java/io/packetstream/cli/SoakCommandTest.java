package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SoakCommandTest {

  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+(?:\\.\\d+)?)");

  /** The fields of the result line, which must be the only line on stdout. */
  private static Map<String, Long> fields(CommandRun run) {
    assertThat(run.out().lines()).as(run.err()).hasSize(1);
    String line = run.out().lines().findFirst().orElseThrow();
    assertThat(line).startsWith("soak requests=");
    Map<String, Long> fields = new HashMap<>();
    Matcher m = FIELD.matcher(line);
    while (m.find()) {
      fields.put(m.group(1), (long) Double.parseDouble(m.group(2)));
    }
    return fields;
  }

  /** Every request in exactly one category: the categories add up to the requests sent. */
  private static void assertAccounted(Map<String, Long> f, long requests) {
    assertThat(f.get("requests")).isEqualTo(requests);
    long sum = 0;
    for (String k :
        new String[] {
          "ok",
          "asked_failures",
          "refused",
          "closed",
          "submit_refused",
          "wrong",
          "unexpected",
          "other",
          "hung"
        }) {
      assertThat(f).containsKey(k);
      sum += f.get(k);
    }
    assertThat(sum).isEqualTo(requests);
    assertThat(f.get("defects"))
        .isEqualTo(
            f.get("wrong")
                + f.get("unexpected")
                + f.get("other")
                + f.get("hung")
                + f.get("duplicates")
                + f.get("strays")
                + f.get("leftover_connections")
                + f.get("leftover_threads"));
  }

  private static CommandRun soak(String... extra) {
    String[] base = {
      "soak",
      "--requests",
      "3000",
      "--connections",
      "6",
      "--window",
      "4",
      "--kill-every-ms",
      "5",
      "--graceful-requests",
      "600",
      "--seed",
      "11"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CommandRun.of(args);
  }

  @Test
  void aRunWithKillsAccountsForEveryRequestAndFindsNoDefect() {
    CommandRun run = soak();

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("defects")).as(run.err()).isZero();
    assertThat(f.get("graceful_closed")).as(run.err()).isZero();
    // every kind of answer came, and connections were killed and replaced
    assertThat(f.get("ok")).isPositive();
    assertThat(f.get("asked_failures")).isPositive();
    assertThat(f.get("aborts")).isPositive();
    assertThat(f.get("reconnects")).isPositive();
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void refusalsForALimitAreCountedAsRefusedNotAsDefects() {
    // the server runs one request at a time and queues one more: the rest of a window of 4 is
    // refused with the engine's "too many requests" answer
    CommandRun run = soak("--server-limit", "1");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("refused")).isPositive();
    assertThat(f.get("refused_limit"))
        .isEqualTo(f.get("refused") - f.get("refused_closing") - f.get("refused_after_erq"));
    assertThat(f.get("refused_limit")).isPositive();
    assertThat(f.get("defects")).as(run.err()).isZero();
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void wrongAnswersAreDefects() {
    CommandRun run = soak("--fault", "corrupt");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("wrong")).isPositive();
    assertThat(run.err()).contains("soak: wrong: request ");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void aFailureOtherThanTheOneAskedForIsWrong() {
    CommandRun run = soak("--fault", "failure_text");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("wrong")).isPositive();
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void anUnknownFailureTextIsUnexpected() {
    CommandRun run = soak("--fault", "unknown_text");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("unexpected")).isPositive();
    assertThat(f.get("wrong")).isZero();
    assertThat(run.err()).contains("out of the blue");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void aRequestHandledTwiceIsADuplicate() {
    CommandRun run = soak("--fault", "twice");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("duplicates")).isPositive();
    assertThat(f.get("wrong")).isZero();
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void aRequestThatNeverEndsIsHung() {
    // no kills here: a killed connection would end the never-answered requests
    CommandRun run =
        CommandRun.of(
            "soak",
            "--requests",
            "1000",
            "--connections",
            "4",
            "--window",
            "4",
            "--kill-every-ms",
            "100000",
            "--graceful-requests",
            "0",
            "--seed",
            "5",
            "--fault",
            "hang",
            "--deadline-ms",
            "500");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 1000);
    assertThat(f.get("hung")).isPositive();
    assertThat(f.get("closed")).isZero();
    assertThat(run.err()).contains("soak: hung: ");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void aThreadLeftBehindIsADefect() {
    // the handler starts a thread that lives on for seconds after the run
    CommandRun run = soak("--fault", "leak_thread", "--deadline-ms", "1000");

    Map<String, Long> f = fields(run);
    assertAccounted(f, 3000);
    assertThat(f.get("leftover_threads")).isEqualTo(1);
    assertThat(f.get("defects")).isEqualTo(1);
    assertThat(run.err()).contains("threads left behind: [soak-leak]");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void badOptionsAreUsageErrors() {
    CommandRun window = CommandRun.of("soak", "--window", "0");
    CommandRun graceful = CommandRun.of("soak", "--requests", "10", "--graceful-requests", "11");

    assertThat(window.err()).startsWith("soak: --window 0 is not between 1 and 1024");
    assertThat(graceful.err())
        .startsWith("soak: --graceful-requests 11 is not between 0 and --requests");
    assertThat(window.exitCode()).isEqualTo(2);
    assertThat(graceful.exitCode()).isEqualTo(2);
    assertThat(window.out()).isEmpty();
  }
}
