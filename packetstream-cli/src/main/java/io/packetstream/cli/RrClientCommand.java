package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketClient;
import io.packetstream.wire.PacketCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.AtomicHistogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rr-client}: the client side of the rr load (CONFORMANCE.md section 2). One connection, a
 * warm-up of max(20% of N, 20000) requests that is not counted, then N measured requests, and
 * exactly one result line on stdout:
 *
 * <pre>
 * rr impl=packetstream-java payload=B window=W requests=N seconds=S rps=R p50_us=X p99_us=Y errors=E
 * </pre>
 *
 * <p>Latencies go into an HdrHistogram (3 significant digits), from submit to completion.
 *
 * <p>The line is printed even when a phase does not finish (the connection breaks, or the peer
 * stops answering for the hidden {@code --timeout-seconds}): unanswered requests count as errors,
 * the measured requests too when the warm-up did not finish, {@code rps} counts only the answered
 * ones, and the exit status is 1.
 */
@Command(
    name = "rr-client",
    mixinStandardHelpOptions = true,
    description = "Play the rr load against an rr server and print one result line.")
final class RrClientCommand implements Callable<Integer> {

  @Mixin Endpoint endpoint;

  @Option(names = "--requests", required = true, description = "Measured requests (N).")
  long requests;

  @Option(names = "--window", required = true, description = "Most requests in flight (W).")
  int window;

  @Option(names = "--payload", required = true, description = "Payload bytes per request (B).")
  int payload;

  @Option(
      names = "--warmup",
      hidden = true,
      description =
          "Warm-up requests instead of max(20% of N, 20000): for experiments only,"
              + " such as a 10 ms packet grace at window 1, where 20000 round trips take minutes.")
  Long warmupOverride;

  @Option(
      names = "--histogram",
      hidden = true,
      description = "Also print the latency distribution (microseconds) on stderr.")
  boolean histogram;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "600",
      hidden = true,
      description = "Give up on a phase after this long.")
  long timeoutSeconds;

  /** The longest payload of a request whose frame (tag of up to 10 bytes) fits 16 MiB. */
  static final int MAX_PAYLOAD = PacketCodec.DEFAULT_MAX_FRAME_LENGTH - 12;

  @Spec CommandSpec spec;

  /**
   * About the heap a load of {@code window} requests of {@code payload} bytes holds: its 256
   * payloads and their expected answers, and each request in flight twice (request and answer).
   */
  static long heapNeeded(int window, int payload) {
    return (512L + 2L * window) * payload;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (requests < 1 || window < 1 || payload < 0) {
      err.println("rr-client: --requests and --window must be at least 1, --payload at least 0");
      return 2;
    }
    if (payload > MAX_PAYLOAD) {
      // checked before the load makes its 256 payloads (and their answers) of this size
      err.println(
          "rr-client: --payload "
              + payload
              + " is over "
              + MAX_PAYLOAD
              + ", the most a request carries within a peer's default frame limit");
      return 2;
    }
    long heap = heapNeeded(window, payload);
    if (heap > Runtime.getRuntime().maxMemory()) {
      err.println(
          "rr-client: --payload "
              + payload
              + " at --window "
              + window
              + " needs about "
              + (heap >> 20)
              + " MiB of heap (256 payloads, their answers and the window's in flight), more than"
              + " the "
              + (Runtime.getRuntime().maxMemory() >> 20)
              + " MiB this JVM may use; give java a larger -Xmx, or ask for less");
      return 2;
    }
    long warmup = warmupOverride != null ? warmupOverride : Math.max(requests / 5, 20_000);
    long timeout = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    PacketConnection connection =
        PacketClient.connect(
            endpoint.host,
            endpoint.port,
            endpoint.configure(
                PacketConnection.builder()
                    .name("rr-client")
                    .maxPendingRequests(
                        Math.max(window, PacketConnection.Builder.DEFAULT_MAX_PENDING_REQUESTS))
                    .closeTimeout(Duration.ofSeconds(5))));
    try {
      RrLoad load = new RrLoad(connection, window, payload);
      AtomicHistogram latencies = RrLoad.histogram();
      long elapsed = 0;
      long answered = 0;
      long notRun = 0;
      boolean finished = warmup == 0 || load.run(0, warmup, null, timeout);
      if (!finished) {
        // the line is printed all the same: the measured requests, never sent, count as errors
        err.println(
            "rr-client: the warm-up did not finish: "
                + connection.state()
                + connection.failure().map(f -> " (" + f + ")").orElse(""));
        notRun = requests;
      } else {
        long answeredBefore = load.answered();
        long start = System.nanoTime();
        finished = load.run(warmup, requests, latencies, timeout);
        elapsed = System.nanoTime() - start;
        answered = load.answered() - answeredBefore;
        if (!finished) {
          err.println(
              "rr-client: the measured run did not finish: "
                  + connection.state()
                  + connection.failure().map(f -> " (" + f + ")").orElse(""));
        }
      }
      double seconds = elapsed / 1e9;
      long errors = load.errors() + notRun;
      spec.commandLine()
          .getOut()
          .println(
              String.format(
                  Locale.ROOT,
                  "rr impl=packetstream-java payload=%d window=%d requests=%d seconds=%.3f rps=%d"
                      + " p50_us=%.1f p99_us=%.1f errors=%d",
                  payload,
                  window,
                  requests,
                  seconds,
                  elapsed == 0 ? 0 : Math.round(answered / seconds),
                  latencies.getValueAtPercentile(50) / 1000.0,
                  latencies.getValueAtPercentile(99) / 1000.0,
                  errors));
      spec.commandLine().getOut().flush();
      if (histogram) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        latencies.outputPercentileDistribution(
            new PrintStream(text, true, StandardCharsets.UTF_8), 1000.0);
        err.print(text.toString(StandardCharsets.UTF_8));
        err.flush();
      }
      return finished && errors == 0 ? 0 : 1;
    } finally {
      connection.close();
    }
  }
}
