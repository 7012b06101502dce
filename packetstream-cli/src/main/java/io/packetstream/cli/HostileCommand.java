package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import io.packetstream.transport.PacketServer;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hostile}: whether one server keeps serving its good clients while hostile peers attack it
 * (issue 11, item 3). Good clients (library connections playing the rr load, every answer checked)
 * measure their rate and p99 for a baseline; then, while they go on, hostile peers ({@link
 * HostilePeers}) attack the same server: peers trickling a byte at a time into a frame announced
 * just under the server's limit, peers flooding requests that never read, a loop writing random
 * bytes, a loop connecting and closing, a peer holding silent connections. Then the attackers stop,
 * and the server's heap must come back.
 *
 * <p>The server is an {@code rr-server} on {@code --port} (started with {@code --heap-requests}, so
 * that the command can ask it for its heap in use after a GC; its log in {@code --server-log}) or,
 * with {@code --in-process}, one started in this JVM with the {@code rr-server} limit options given
 * here, whose heap then includes the command's own and whose log is read as it is written.
 *
 * <p>Output, one line per step, then the verdict:
 *
 * <pre>
 * hostile phase=baseline clients=4 window=16 seconds=10.001 answered=812345 rps=81225 p50_us=610.0 p99_us=1520.0 max_us=9000.0 errors=0 broken=0
 * hostile phase=attack clients=4 window=16 seconds=60.004 answered=... rps=... p50_us=... p99_us=... max_us=... errors=0 broken=0
 * hostile attackers seconds=60.0 trickle_peers=50 trickle_bytes=14950 trickle_dropped=0 flood_peers=5 flood_requests=... flood_dropped=0 garbage_loops=... churn_loops=... silent_opened=... silent_dropped=... connect_failures=0
 * hostile heap before_bytes=... after_bytes=... growth_bytes=... slack_bytes=16777216 connections_before=5 connections_after=5
 * hostile log reason=malformed lines=3 connections=6012
 * hostile log reason=read_timeout lines=0 connections=0   (and idle, refused, other)
 * hostile result rps_ratio=0.912 min_ratio=0.60 defects=0 oom=0 heap_ok=true log_ok=true goals=met missed=none
 * </pre>
 *
 * <p>Defects: a wrong, failed or missing answer, a request that waits past {@code
 * --request-timeout-seconds}, a good connection that breaks, a server that stops answering the heap
 * request. The goals: no OutOfMemoryError in the server's log, no defect, the attack phase's rate
 * at least {@code --min-ratio} of the baseline's, the heap after the attack at most {@code
 * --heap-slack-mb} above the heap before it, and for each attack the server dropped, a log line
 * naming why. A goal that cannot be judged (no heap requests, no log; in-process, a kind of drop
 * without a line, which another connection of the JVM may have logged for it less than 30 s before)
 * says {@code unknown} and does not fail the run. Exit status 0 when every goal is met, 1 when one
 * is missed, 2 for bad options.
 */
@Command(
    name = "hostile",
    mixinStandardHelpOptions = true,
    description =
        "Measure good clients' rate and p99, then again while hostile peers attack the "
            + "same server; check the server's heap and log after; one line per step.")
final class HostileCommand implements Callable<Integer> {

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "The rr-server's port on 127.0.0.1 (run it with --heap-requests).")
  int port;

  @Option(
      names = "--in-process",
      description = "Start the rr-server in this JVM instead (with the rr-server options below).")
  boolean inProcess;

  @Mixin ServerLimits limits;

  @Option(
      names = "--server-log",
      description = "The file the rr-server's stderr goes to: its log, read after the attack.")
  Path serverLog;

  @Option(
      names = "--good",
      defaultValue = "4",
      description = "Good client connections (default: ${DEFAULT-VALUE}).")
  int good;

  @Option(
      names = "--window",
      defaultValue = "16",
      description = "Requests each good client keeps in flight (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--payload",
      defaultValue = "32",
      description = "Payload bytes of each good request (default: ${DEFAULT-VALUE}).")
  int payload;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "3",
      description = "Good load before the baseline, not measured (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(
      names = "--baseline-seconds",
      defaultValue = "10",
      description = "The baseline phase (default: ${DEFAULT-VALUE}).")
  double baselineSeconds;

  @Option(
      names = "--attack-seconds",
      defaultValue = "60",
      description = "The attack phase (default: ${DEFAULT-VALUE}).")
  double attackSeconds;

  @Option(
      names = "--tricklers",
      defaultValue = "50",
      description =
          "Peers trickling into a frame just under the limit (default: ${DEFAULT-VALUE}).")
  int tricklers;

  @Option(
      names = "--trickle-ms",
      defaultValue = "200",
      description = "Milliseconds between a trickler's bytes (default: ${DEFAULT-VALUE}).")
  long trickleMs;

  @Option(
      names = "--frame-limit",
      defaultValue = "" + PacketCodec.DEFAULT_MAX_FRAME_LENGTH,
      description =
          "The server's frame limit: tricklers announce a body one byte shorter "
              + "(default: ${DEFAULT-VALUE}, or --max-frame-length with --in-process).")
  int frameLimit;

  @Option(
      names = "--flooders",
      defaultValue = "5",
      description =
          "Peers sending requests as fast as they can, never reading (default: ${DEFAULT-VALUE}).")
  int flooders;

  @Option(
      names = "--garbage",
      defaultValue = "1",
      description =
          "Loops connecting, writing random bytes and leaving (default: ${DEFAULT-VALUE}).")
  int garbage;

  @Option(
      names = "--churners",
      defaultValue = "1",
      description = "Loops connecting and closing (default: ${DEFAULT-VALUE}).")
  int churners;

  @Option(
      names = "--silent",
      defaultValue = "1",
      description = "Peers opening connections that send nothing (default: ${DEFAULT-VALUE}).")
  int silent;

  @Option(
      names = "--silent-max",
      defaultValue = "1000",
      description =
          "Connections each silent peer holds at most, closing the oldest (default: ${DEFAULT-VALUE}).")
  int silentMax;

  @Option(
      names = "--churn-per-second",
      defaultValue = "200",
      description =
          "Connections each connecting loop (garbage, churn, silent) opens per second at most;"
              + " 0: as fast as it can (default: ${DEFAULT-VALUE}).")
  double churnPerSecond;

  @Option(
      names = "--min-ratio",
      defaultValue = "0.6",
      description =
          "The attack phase's rate must be at least this share of the baseline's (default: ${DEFAULT-VALUE}).")
  double minRatio;

  @Option(
      names = "--heap-slack-mb",
      defaultValue = "16",
      description =
          "How far above its baseline the server's heap may stay after the attack (default: ${DEFAULT-VALUE}).")
  long heapSlackMb;

  @Option(
      names = "--settle-seconds",
      defaultValue = "20",
      description =
          "After the attack, how long to wait for the attackers' connections to leave the server "
              + "before its heap is measured (default: ${DEFAULT-VALUE}).")
  double settleSeconds;

  @Option(
      names = "--request-timeout-seconds",
      defaultValue = "30",
      description =
          "A good request unanswered this long is a defect (a hang) (default: ${DEFAULT-VALUE}).")
  double requestTimeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String wrong = checkOptions();
    if (wrong != null) {
      err.println("hostile: " + wrong);
      return 2;
    }
    ServerLog log = new ServerLog();
    LogCollector collector = null;
    PacketServer server = null;
    int target = port;
    if (inProcess) {
      collector = new LogCollector(log);
      limits.heapRequests = true;
      server = RrServerCommand.start(Endpoint.loopback(0), false, limits);
      target = server.port();
    }
    try {
      return run(target, out, err, log);
    } finally {
      if (server != null) {
        server.close();
      }
      if (collector != null) {
        collector.close();
      }
    }
  }

  private int run(int target, PrintWriter out, PrintWriter err, ServerLog log) throws Exception {
    long defects = 0;
    long[] heapBefore;
    long[] heapAfter;
    GoodClients.Phase baseline;
    GoodClients.Phase attack;
    HostilePeers.Counts attackers;
    double attackElapsed;
    try (GoodClients clients =
        new GoodClients(target, good, window, payload, seconds(requestTimeoutSeconds))) {
      if (warmupSeconds > 0) {
        defects += clients.run(seconds(warmupSeconds)).errors();
      }
      baseline = clients.run(seconds(baselineSeconds));
      print(out, "baseline", baseline);
      heapBefore = heap(target, err);

      int trickleLimit =
          inProcess && limits.maxFrameLength != null ? limits.maxFrameLength : frameLimit;
      HostilePeers.Plan plan =
          new HostilePeers.Plan(
              tricklers,
              TimeUnit.MILLISECONDS.toNanos(trickleMs),
              trickleLimit,
              flooders,
              garbage,
              churners,
              silent,
              silentMax,
              churnPerSecond);
      long attackStart = System.nanoTime();
      try (HostilePeers peers =
          HostilePeers.start(
              target, plan, seconds(attackSeconds) + seconds(requestTimeoutSeconds))) {
        attack = clients.run(seconds(attackSeconds));
        peers.stop();
        attackers = peers.counts();
      }
      attackElapsed = (System.nanoTime() - attackStart) / 1e9;
      print(out, "attack", attack);
      out.println(
          String.format(
              Locale.ROOT,
              "hostile attackers seconds=%.1f trickle_peers=%d trickle_bytes=%d trickle_dropped=%d"
                  + " flood_peers=%d flood_requests=%d flood_dropped=%d garbage_loops=%d churn_loops=%d"
                  + " silent_opened=%d silent_dropped=%d connect_failures=%d",
              attackElapsed,
              tricklers,
              attackers.trickleBytes(),
              attackers.trickleDropped(),
              flooders,
              attackers.floodRequests(),
              attackers.floodDropped(),
              attackers.garbageLoops(),
              attackers.churnLoops(),
              attackers.silentOpened(),
              attackers.silentDropped(),
              attackers.connectFailures()));
      out.flush();
      for (String line : clients.brokenConnections()) {
        err.println("hostile: a good connection broke: " + line);
      }
      heapAfter = settle(target, heapBefore, err);
      defects += baseline.errors() + attack.errors() + attack.broken();
      if (heapBefore != null && heapAfter == null) {
        err.println("hostile: the server no longer answers the heap request after the attack");
        defects++;
      }
    }
    long slack = heapSlackMb * 1024 * 1024;
    boolean heapKnown = heapBefore != null && heapAfter != null;
    out.println(
        String.format(
            Locale.ROOT,
            "hostile heap before_bytes=%d after_bytes=%d growth_bytes=%d slack_bytes=%d"
                + " connections_before=%d connections_after=%d",
            heapKnown ? heapBefore[0] : -1,
            heapKnown ? heapAfter[0] : -1,
            heapKnown ? heapAfter[0] - heapBefore[0] : 0,
            slack,
            heapBefore != null ? heapBefore[1] : -1,
            heapAfter != null ? heapAfter[1] : -1));

    boolean logKnown = inProcess || serverLog != null;
    if (serverLog != null) {
      for (String line : Files.readAllLines(serverLog, StandardCharsets.UTF_8)) {
        log.line(line);
      }
    }
    for (ServerLog.Reason r : ServerLog.Reason.values()) {
      out.println(
          "hostile log reason="
              + r
              + " lines="
              + (logKnown ? log.lines(r) : -1)
              + " connections="
              + (logKnown ? log.connections(r) : -1));
    }

    double ratio = baseline.rps() == 0 ? 0 : (double) attack.rps() / baseline.rps();
    List<String> missed = new ArrayList<>();
    if (log.outOfMemory() > 0) {
      missed.add("oom");
    }
    if (defects > 0) {
      missed.add("defects");
    }
    if (ratio < minRatio) {
      missed.add("ratio");
    }
    String heapOk =
        !heapKnown ? "unknown" : Boolean.toString(heapAfter[0] - heapBefore[0] <= slack);
    if (heapOk.equals("false")) {
      missed.add("heap");
    }
    // in this JVM, a line of the same kind logged by another connection in the 30 s before the
    // run stands for the run's first drops too (the library logs each kind once per 30 s)
    boolean named = logNamesDrops(log, attackers);
    String logOk = !logKnown || (inProcess && !named) ? "unknown" : Boolean.toString(named);
    if (logOk.equals("false")) {
      missed.add("log");
    }
    out.println(
        String.format(
            Locale.ROOT,
            "hostile result rps_ratio=%.3f min_ratio=%.2f defects=%d oom=%d heap_ok=%s log_ok=%s goals=%s missed=%s",
            ratio,
            minRatio,
            defects,
            log.outOfMemory(),
            heapOk,
            logOk,
            missed.isEmpty() ? "met" : "missed",
            missed.isEmpty() ? "none" : String.join(",", missed)));
    out.flush();
    return missed.isEmpty() ? 0 : 1;
  }

  /**
   * Whether the log names a reason for every kind of attack the server dropped: garbage as
   * malformed frames, tricklers as a read timeout (or malformed, when they left mid-frame), silent
   * peers as idle or refused, flooders as anything.
   */
  private static boolean logNamesDrops(ServerLog log, HostilePeers.Counts attackers) {
    long malformed = log.lines(ServerLog.Reason.malformed);
    long any = 0;
    for (ServerLog.Reason r : ServerLog.Reason.values()) {
      any += log.lines(r);
    }
    return (attackers.garbageLoops() == 0 || malformed > 0)
        && (attackers.trickleDropped() == 0
            || log.lines(ServerLog.Reason.read_timeout) + malformed > 0)
        && (attackers.silentDropped() == 0
            || log.lines(ServerLog.Reason.idle) + log.lines(ServerLog.Reason.refused) > 0)
        && (attackers.floodDropped() == 0 || any > 0);
  }

  private void print(PrintWriter out, String phase, GoodClients.Phase p) {
    out.println(
        String.format(
            Locale.ROOT,
            "hostile phase=%s clients=%d window=%d seconds=%.3f answered=%d rps=%d p50_us=%.1f"
                + " p99_us=%.1f max_us=%.1f errors=%d broken=%d",
            phase,
            good,
            window,
            p.nanos() / 1e9,
            p.answered(),
            p.rps(),
            p.p50Micros(),
            p.p99Micros(),
            p.maxMicros(),
            p.errors(),
            p.broken()));
    out.flush();
  }

  /**
   * Waits until the server holds no more connections than before the attack (up to {@code
   * --settle-seconds}), then takes its heap; null if the server does not answer.
   */
  private long[] settle(int target, long[] before, PrintWriter err) throws InterruptedException {
    if (before == null) {
      return null;
    }
    long deadline = System.nanoTime() + seconds(settleSeconds);
    long[] now = heap(target, err);
    while (now != null && now[1] > before[1] && System.nanoTime() - deadline < 0) {
      TimeUnit.MILLISECONDS.sleep(500);
      now = heap(target, err);
    }
    if (now != null && now[1] > before[1]) {
      err.println(
          "hostile: the server still holds "
              + (now[1] - before[1])
              + " more connections than before the attack");
    }
    return now;
  }

  /**
   * Asks the server, over a connection of its own (which an idle timeout cannot have closed), for
   * its heap in use after a GC and its connections open, that one included: {heap, connections}, or
   * null if it does not serve the request (no {@code --heap-requests}) or does not answer.
   */
  private static long[] heap(int port, PrintWriter err) throws InterruptedException {
    try (PacketConnection control =
        PacketClient.connect(
            "127.0.0.1",
            port,
            PacketConnection.builder()
                .name("hostile control")
                .closeTimeout(Duration.ofSeconds(5)))) {
      Response r =
          control.call(0, RrServerCommand.HEAP_TYPE, 0, new byte[0], Duration.ofSeconds(60));
      String text = r.text();
      if (!r.ok() || !text.startsWith("heap_used=")) {
        err.println(
            "hostile: the server does not report its heap ("
                + text
                + "); run rr-server with --heap-requests");
        return null;
      }
      String[] fields = text.split(" ");
      return new long[] {
        Long.parseLong(fields[0].substring("heap_used=".length())),
        Long.parseLong(fields[1].substring("connections=".length()))
      };
    } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
      err.println("hostile: the heap request failed: " + e);
      return null;
    }
  }

  private String checkOptions() {
    if (inProcess == (port != 0)) {
      return "give either --port (an rr-server) or --in-process";
    }
    if (port < 0 || port > 65535) {
      return "--port " + port + " is not between 1 and 65535";
    }
    if (good < 1 || window < 1 || window > 1024 || payload < 0 || payload > 65536) {
      return "--good and --window must be at least 1 (window at most 1024), --payload 0 to 65536";
    }
    if (!(warmupSeconds >= 0)
        || !(baselineSeconds > 0)
        || !(attackSeconds > 0)
        || !(settleSeconds >= 0)
        || !(requestTimeoutSeconds > 0)) {
      return "--baseline-seconds, --attack-seconds and --request-timeout-seconds must be above 0,"
          + " --warmup-seconds and --settle-seconds at least 0";
    }
    if (tricklers < 0
        || flooders < 0
        || garbage < 0
        || churners < 0
        || silent < 0
        || silentMax < 1
        || trickleMs < 1
        || !(churnPerSecond >= 0)) {
      return "attacker counts must be at least 0, --silent-max and --trickle-ms at least 1,"
          + " --churn-per-second at least 0";
    }
    if (frameLimit < 2) {
      return "--frame-limit " + frameLimit + " is below 2";
    }
    if (!(minRatio >= 0) || heapSlackMb < 0) {
      return "--min-ratio and --heap-slack-mb must be at least 0";
    }
    if (serverLog != null && inProcess) {
      return "--server-log is for a server on --port; the in-process server's log is read directly";
    }
    return null;
  }

  private static long seconds(double s) {
    return Math.round(s * 1e9);
  }

  /** Reads the in-process server's log as the library writes it (INFO and above). */
  private static final class LogCollector extends Handler implements AutoCloseable {
    private final Logger library = Logger.getLogger("io.packetstream"); // held: JUL keeps it weakly
    private final ServerLog log;

    LogCollector(ServerLog log) {
      this.log = log;
      setLevel(Level.INFO);
      library.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() < Level.INFO.intValue()) {
        return;
      }
      String message = record.getMessage();
      if (record.getThrown() != null) {
        message = message + " " + record.getThrown();
      }
      synchronized (log) {
        log.message(message);
        if (message.contains("OutOfMemoryError")) {
          log.line(message);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      library.removeHandler(this);
    }
  }
}
