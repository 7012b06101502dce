package io.packetstream.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code soak}: the reliability soak of issue 11. One server and C client connections in this JVM
 * over 127.0.0.1, W requests in flight on each, a killer that aborts a random client-side or
 * server-side connection every K ms, then a graceful phase in which it closes them gracefully
 * instead; the clients reconnect and go on. Then every client closes gracefully. See {@link Soak}
 * for how the run works and {@link SoakHandler} for the requests and their answers.
 *
 * <p>Every request is accounted for, in one line on stdout:
 *
 * <pre>
 * soak requests=N ok=.. asked_failures=.. refused=.. closed=.. submit_refused=.. defects=..
 *   wrong=.. unexpected=.. other=.. hung=.. duplicates=.. strays=.. leftover_connections=..
 *   leftover_threads=.. graceful_closed=.. seconds=.. rps=.. (then details: seed, kills, ...)
 * </pre>
 *
 * <p>({@code ok + asked_failures + refused + closed + submit_refused + wrong + unexpected + other +
 * hung = requests}.) A few samples of each defect go to stderr. The exit status is 1 on any defect
 * or any request ended by its connection's end in the graceful phase ({@code graceful_closed}), 2
 * for bad options.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Soak one in-process server and its clients with killed connections, and "
            + "account for every request; one result line.")
final class SoakCommand implements Callable<Integer> {

  @Option(
      names = "--connections",
      defaultValue = "100",
      description = "Client connections (C, default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--window",
      defaultValue = "16",
      description = "Requests in flight on each connection (W, default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--requests",
      defaultValue = "1000000",
      description = "Requests in all (default: ${DEFAULT-VALUE}).")
  long requests;

  @Option(
      names = "--graceful-requests",
      description =
          "The last requests of the run, sent in the graceful phase, when connections "
              + "are closed gracefully instead of aborted (default: a tenth of --requests).")
  Long gracefulRequests;

  @Option(
      names = "--kill-every-ms",
      defaultValue = "20",
      description = "Milliseconds between two kills (K, default: ${DEFAULT-VALUE}).")
  long killEveryMillis;

  @Option(
      names = "--graceful-server-closes",
      description =
          "In the graceful phase close server-side connections gracefully too, not only "
              + "client-side ones. A server-side graceful close races with the client's requests "
              + "already on their way (the server's EOF overtakes them), so expect graceful_closed "
              + "above 0 and exit 1: the option shows that race.")
  boolean gracefulServerCloses;

  @Option(
      names = "--seed",
      description =
          "Seed of the payloads, request types and kills (default: a random one, printed).")
  Long seed;

  @Option(
      names = "--max-seconds",
      defaultValue = "3600",
      description =
          "Stop sending after this long; the line then counts the requests sent "
              + "(default: ${DEFAULT-VALUE}).")
  double maxSeconds;

  @Option(
      names = "--max-payload",
      defaultValue = "64",
      description = "Most random payload bytes after the 8-byte id (default: ${DEFAULT-VALUE}).")
  int maxPayload;

  @Option(
      names = "--deadline-ms",
      defaultValue = "30000",
      hidden = true,
      description =
          "A request not ended after this long is hung; also the close timeout, and "
              + "(between 1 s and 10 s) how long the server's connections and the run's threads "
              + "may take to go away at the end.")
  long deadlineMillis;

  @Option(
      names = "--server-limit",
      defaultValue = "0",
      hidden = true,
      description =
          "The server's maxConcurrentRequests and maxQueuedRequests (default: the "
              + "library's): below the window, requests are refused for a limit.")
  int serverLimit;

  @Option(
      names = "--fault",
      defaultValue = "none",
      hidden = true,
      description =
          "Make the server misbehave on purpose, to test the soak's checks: "
              + "none, corrupt, failure_text, twice, hang, unknown_text, leak_thread.")
  SoakHandler.Fault fault;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long graceful = gracefulRequests != null ? gracefulRequests : requests / 10;
    String wrong = checkOptions(graceful);
    if (wrong != null) {
      err.println("soak: " + wrong);
      return 2;
    }
    long seedUsed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    Soak soak =
        new Soak(
            new Soak.Settings(
                connections,
                window,
                requests,
                graceful,
                killEveryMillis,
                gracefulServerCloses,
                seedUsed,
                maxSeconds,
                deadlineMillis,
                maxPayload,
                serverLimit,
                fault));
    // the handlers' deliberate failures, and the kills, would log a warning per connection
    Logger engineLog = Logger.getLogger("io.packetstream");
    Level level = engineLog.getLevel();
    engineLog.setLevel(Level.SEVERE);
    Soak.Result r;
    try {
      r = soak.run();
    } finally {
      engineLog.setLevel(level);
    }
    for (String sample : soak.samples()) {
      err.println("soak: " + sample);
    }
    if (!r.leftoverThreads().isEmpty()) {
      err.println("soak: threads left behind: " + r.leftoverThreads());
    }
    if (r.stoppedEarly()) {
      err.println(
          "soak: stopped after --max-seconds "
              + maxSeconds
              + " with "
              + r.requests()
              + " of "
              + requests
              + " requests sent");
    }
    if (r.accounted() != r.requests()) {
      err.println("soak: " + r.accounted() + " outcomes counted for " + r.requests() + " requests");
    }
    long defects = r.defects() + Math.abs(r.accounted() - r.requests());
    out.println(
        String.format(
            Locale.ROOT,
            "soak requests=%d ok=%d asked_failures=%d refused=%d closed=%d submit_refused=%d"
                + " defects=%d wrong=%d unexpected=%d other=%d hung=%d duplicates=%d strays=%d"
                + " leftover_connections=%d leftover_threads=%d graceful_closed=%d seconds=%.3f rps=%d"
                + " seed=%d connections=%d window=%d graceful_requests=%d aborts=%d graceful_closes=%d"
                + " reconnects=%d connect_failures=%d refused_closing=%d refused_after_erq=%d"
                + " refused_limit=%d",
            r.requests(),
            r.count(Soak.Outcome.OK),
            r.count(Soak.Outcome.ASKED),
            r.count(Soak.Outcome.REFUSED),
            r.count(Soak.Outcome.CLOSED),
            r.count(Soak.Outcome.SUBMIT_REFUSED),
            defects,
            r.count(Soak.Outcome.WRONG),
            r.count(Soak.Outcome.UNEXPECTED),
            r.count(Soak.Outcome.OTHER),
            r.count(Soak.Outcome.HUNG),
            r.duplicates(),
            r.strays(),
            r.leftoverConnections(),
            r.leftoverThreads().size(),
            r.gracefulClosed(),
            r.seconds(),
            Math.round(r.requests() / Math.max(r.seconds(), 1e-9)),
            seedUsed,
            connections,
            window,
            graceful,
            r.aborts(),
            r.gracefulCloses(),
            r.reconnects(),
            r.connectFailures(),
            r.refusedClosing(),
            r.refusedAfterErq(),
            r.refusedLimit()));
    out.flush();
    err.flush();
    return defects == 0 && r.gracefulClosed() == 0 ? 0 : 1;
  }

  /** What is wrong with the options, or null. */
  private String checkOptions(long graceful) {
    if (connections < 1 || connections > 5000) {
      return "--connections " + connections + " is not between 1 and 5000";
    }
    if (window < 1 || window > 1024) {
      return "--window " + window + " is not between 1 and 1024";
    }
    if (requests < 1 || requests > (long) Integer.MAX_VALUE * 32) {
      return "--requests " + requests + " is out of range";
    }
    if (graceful < 0 || graceful > requests) {
      return "--graceful-requests " + graceful + " is not between 0 and --requests";
    }
    if (killEveryMillis < 1) {
      return "--kill-every-ms " + killEveryMillis + " is below 1";
    }
    if (!(maxSeconds > 0)) {
      return "--max-seconds must be above 0";
    }
    if (maxPayload < 0 || maxPayload > 65536) {
      return "--max-payload " + maxPayload + " is not between 0 and 65536";
    }
    if (serverLimit < 0) {
      return "--server-limit " + serverLimit + " is below 0";
    }
    if (deadlineMillis < 1) {
      return "--deadline-ms " + deadlineMillis + " is below 1";
    }
    return null;
  }
}
