package io.packetstream.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conn-load}: opens many connections to one server on 127.0.0.1 and holds them, so that a
 * script can measure what the server spends per connection (bench/connections.sh). All the
 * connections share one selector thread ({@link ConnLoad}); the library's connection engine is not
 * used, so the client's own cost stays small and independent of the engine under test.
 *
 * <p>The connections are opened in steps ({@code --steps 1000,5000,10000}, totals). With {@code
 * --protocol packetstream} each new connection sends one rr request (type 0, reversed by {@code
 * rr-server}) and the step waits for every answer; with {@code --protocol tcp} the connections send
 * nothing and the step waits until they are open. After each step one line:
 *
 * <pre>
 * conn step=5000 protocol=packetstream open=5000 answered=5000 errors=0 seconds=2.345
 * </pre>
 *
 * <p>({@code open}: connections open now; {@code answered}: first requests rightly answered so far;
 * {@code errors}: every error so far), then it waits for the go-ahead: a line on stdin with {@code
 * --wait-stdin} (the end of stdin stops all waiting), else {@code --pause-seconds}.
 *
 * <p>With {@code --active N} (packetstream only), N of the held connections then keep {@code
 * --window} requests in flight each for {@code --active-seconds}, and one line reports the rate of
 * rightly answered requests, their latency from submit to answer, and the errors of that phase; it
 * is followed by one more go-ahead:
 *
 * <pre>
 * conn active=1000 window=4 seconds=10.004 requests=812345 rps=81201 p50_us=40.1 p99_us=210.3 errors=0
 * </pre>
 *
 * <p>Last, a summary of every error by kind, before all connections are closed:
 *
 * <pre>
 * conn done open=10000 answered=10000 connect_failures=0 wrong_answers=0 lost=0 unanswered=0 errors=0
 * </pre>
 *
 * <p>The exit status is 1 when there was any error (a connection that failed to open or was lost, a
 * wrong or missing answer), 2 for bad options.
 */
@Command(
    name = "conn-load",
    mixinStandardHelpOptions = true,
    description =
        "Open and hold many connections to a server on 127.0.0.1, in steps, and "
            + "optionally load some of them; one line per step.")
final class ConnLoadCommand implements Callable<Integer> {

  /** What each connection speaks. */
  enum Protocol {
    /** One rr request per connection, answered by rr-server; the active phase plays more. */
    packetstream,
    /** Plain TCP connections that send nothing, for servers that speak something else. */
    tcp
  }

  @Option(names = "--port", required = true, description = "The server's port on 127.0.0.1.")
  int port;

  @Option(
      names = "--protocol",
      defaultValue = "packetstream",
      description = "packetstream or tcp (default: ${DEFAULT-VALUE}).")
  Protocol protocol;

  @Option(
      names = "--steps",
      required = true,
      split = ",",
      description = "Connection totals to reach one after another, rising, e.g. 1000,5000,10000.")
  int[] steps;

  @Option(
      names = "--payload",
      defaultValue = "32",
      description = "Payload bytes of each request (default: ${DEFAULT-VALUE}).")
  int payload;

  @Option(
      names = "--wait-stdin",
      description = "After each step's line (and the active line), wait for a line on stdin.")
  boolean waitStdin;

  @Option(
      names = "--pause-seconds",
      defaultValue = "0",
      description =
          "Without --wait-stdin: seconds to pause after each step's line (default: ${DEFAULT-VALUE}).")
  double pauseSeconds;

  @Option(
      names = "--active",
      defaultValue = "0",
      description =
          "Held connections to load after the last step (default: ${DEFAULT-VALUE}, none).")
  int active;

  @Option(
      names = "--window",
      defaultValue = "4",
      description = "Requests each active connection keeps in flight (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--active-seconds",
      defaultValue = "10",
      description = "How long the active phase lasts (default: ${DEFAULT-VALUE}).")
  double activeSeconds;

  @Option(
      names = "--connecting",
      defaultValue = "100",
      description =
          "Most connections being opened (or awaiting their first answer) at once "
              + "(default: ${DEFAULT-VALUE}).")
  int connecting;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "120",
      description =
          "Give up on a step, or on the answers still due after the active phase, after "
              + "this long; what is missing then counts as errors (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Spec CommandSpec spec;

  private final InputStream stdin;

  ConnLoadCommand() {
    this(System.in);
  }

  /** A command that takes its go-aheads from {@code stdin}. */
  ConnLoadCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String wrong = checkOptions();
    if (wrong != null) {
      err.println("conn-load: " + wrong);
      return 2;
    }
    BufferedReader goAheads =
        waitStdin ? new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)) : null;
    long timeout = seconds(timeoutSeconds);
    try (ConnLoad load =
        ConnLoad.start(port, protocol == Protocol.packetstream, payload, connecting)) {
      for (int step : steps) {
        long start = System.nanoTime();
        ConnLoad.Counts counts = load.openUpTo(step, timeout);
        out.println(
            String.format(
                Locale.ROOT,
                "conn step=%d protocol=%s open=%d answered=%d errors=%d seconds=%.3f",
                step,
                protocol,
                counts.open(),
                counts.answered(),
                counts.errors(),
                (System.nanoTime() - start) / 1e9));
        out.flush();
        goAheads = awaitGoAhead(goAheads);
      }
      if (active > 0) {
        ConnLoad.ActiveResult r = load.active(active, window, seconds(activeSeconds), timeout);
        double secs = r.nanos() / 1e9;
        out.println(
            String.format(
                Locale.ROOT,
                "conn active=%d window=%d seconds=%.3f requests=%d rps=%d p50_us=%.1f p99_us=%.1f errors=%d",
                r.connections(),
                window,
                secs,
                r.requests(),
                r.nanos() == 0 ? 0 : Math.round(r.requests() / secs),
                r.latencies().getValueAtPercentile(50) / 1000.0,
                r.latencies().getValueAtPercentile(99) / 1000.0,
                r.errors()));
        out.flush();
        if (r.connections() < active) {
          err.println(
              "conn-load: only "
                  + r.connections()
                  + " connections were held to load, not "
                  + active);
        }
        awaitGoAhead(goAheads);
      }
      ConnLoad.Counts end = load.counts();
      out.println(
          String.format(
              Locale.ROOT,
              "conn done open=%d answered=%d connect_failures=%d wrong_answers=%d lost=%d unanswered=%d errors=%d",
              end.open(),
              end.answered(),
              end.connectFailures(),
              end.wrongAnswers(),
              end.lost(),
              end.unanswered(),
              end.errors()));
      out.flush();
      return end.errors() == 0 ? 0 : 1;
    }
  }

  /** What is wrong with the options, or null. */
  private String checkOptions() {
    if (port < 1 || port > 65535) {
      return "--port " + port + " is not between 1 and 65535";
    }
    for (int i = 0; i < steps.length; i++) {
      if (steps[i] < 1 || (i > 0 && steps[i] <= steps[i - 1])) {
        return "--steps must rise and be at least 1";
      }
    }
    if (payload < 0 || payload > 65536) {
      return "--payload " + payload + " is not between 0 and 65536";
    }
    if (active < 0 || active > steps[steps.length - 1]) {
      return "--active " + active + " is not between 0 and the last step";
    }
    if (active > 0 && protocol != Protocol.packetstream) {
      return "--active needs --protocol packetstream";
    }
    if (window < 1 || window > 1024) {
      return "--window " + window + " is not between 1 and 1024";
    }
    if (!(activeSeconds > 0) || !(timeoutSeconds > 0) || !(pauseSeconds >= 0)) {
      return "--active-seconds and --timeout-seconds must be above 0, --pause-seconds at least 0";
    }
    if (connecting < 1) {
      return "--connecting " + connecting + " is below 1";
    }
    return null;
  }

  /** Waits for the go-ahead; returns the reader to wait on next time, null once stdin has ended. */
  private BufferedReader awaitGoAhead(BufferedReader goAheads)
      throws IOException, InterruptedException {
    if (goAheads != null) {
      return goAheads.readLine() != null ? goAheads : null;
    }
    if (!waitStdin && pauseSeconds > 0) {
      TimeUnit.NANOSECONDS.sleep(seconds(pauseSeconds));
    }
    return null;
  }

  private static long seconds(double s) {
    return Math.round(s * 1e9);
  }
}
