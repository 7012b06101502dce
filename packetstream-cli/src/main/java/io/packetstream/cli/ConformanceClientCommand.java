package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conformance-client}: checks a conformance service (any implementation) scenario by
 * scenario, each on a connection of its own, and prints {@code PASS name} or {@code FAIL name:
 * reason} per scenario and then {@code N passed, M failed}.
 *
 * <p>It also answers the service's type-1 echo requests, which the callback scenarios need. Every
 * wait is bounded, and a scenario as a whole gets {@link #SCENARIO_LIMIT}: a peer that never
 * answers fails the scenario instead of hanging the client.
 */
@Command(
    name = "conformance-client",
    mixinStandardHelpOptions = true,
    description = "Check a conformance service (CONFORMANCE.md section 1), one line per scenario.")
final class ConformanceClientCommand implements Callable<Integer> {

  /** The most one scenario may take, connection set-up and shutdown included. */
  static final Duration SCENARIO_LIMIT = Duration.ofSeconds(60);

  @Mixin Endpoint endpoint;

  @Option(
      names = "--scenario",
      defaultValue = "all",
      paramLabel = "NAME|all",
      description = "The scenario to run (default: all of them, in order).")
  String scenario;

  @Option(
      names = "--request-timeout-ms",
      hidden = true,
      defaultValue = "15000",
      description =
          "How long one request may wait for its answer before its scenario fails"
              + " (default ${DEFAULT-VALUE}); tests of wrong services lower it.")
  long requestTimeoutMs;

  @Spec CommandSpec spec;

  /** Echo requests this client has answered for the service, across connections. */
  private final AtomicLong echoesServed = new AtomicLong();

  @Override
  public Integer call() {
    if (requestTimeoutMs < 1) {
      throw new IllegalArgumentException(
          "--request-timeout-ms " + requestTimeoutMs + " is below 1");
    }
    List<Scenario> chosen = select();
    PrintWriter out = spec.commandLine().getOut();
    ExecutorService runner =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "conformance scenario");
              t.setDaemon(true);
              return t;
            });
    int passed = 0;
    int failed = 0;
    try {
      for (Scenario s : chosen) {
        String failure = run(s, runner);
        if (failure == null) {
          passed++;
          out.println("PASS " + s.name());
        } else {
          failed++;
          out.println("FAIL " + s.name() + ": " + failure.replace('\n', ' '));
        }
        out.flush();
      }
    } finally {
      runner.shutdownNow();
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed == 0 ? 0 : 1;
  }

  private List<Scenario> select() {
    List<Scenario> all = Scenarios.all();
    if (scenario.equals("all")) {
      return all;
    }
    List<Scenario> one =
        all.stream().filter(s -> s.name().equals(scenario)).collect(Collectors.toList());
    if (one.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "unknown scenario '"
              + scenario
              + "'; known: all, "
              + all.stream().map(Scenario::name).collect(Collectors.joining(", ")));
    }
    return one;
  }

  /** Runs one scenario on a fresh connection; returns null when it passed, else the reason. */
  private String run(Scenario s, ExecutorService runner) {
    PacketConnection connection;
    PeerEof peerEof = new PeerEof();
    try {
      connection =
          PacketClient.connect(endpoint.host, endpoint.port, connectionBuilder().listener(peerEof));
    } catch (Exception e) {
      return "cannot connect to " + endpoint.host + ":" + endpoint.port + ": " + describe(e);
    }
    Future<?> body =
        runner.submit(
            () -> {
              s.body()
                  .run(
                      new ScenarioContext(
                          connection, echoesServed, peerEof, Duration.ofMillis(requestTimeoutMs)));
              return null;
            });
    try {
      body.get(SCENARIO_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException e) {
      body.cancel(true);
      connection.abort();
      return "no result within " + SCENARIO_LIMIT.toSeconds() + " s";
    } catch (ExecutionException e) {
      connection.abort();
      return describe(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connection.abort();
      return "interrupted";
    } finally {
      connection.close();
    }
  }

  PacketConnection.Builder connectionBuilder() {
    return endpoint.configure(
        PacketConnection.builder()
            .name("conformance-client")
            .handler(
                request -> {
                  if (request.rqType() != ConformanceHandler.ECHO) {
                    return Response.failure(
                        "this client answers only echo (type 1), not type " + request.rqType());
                  }
                  echoesServed.incrementAndGet();
                  return Response.ok(request.flags(), request.payload());
                })
            // the echo is CPU-only: answer it on the reader thread
            .executor(Runnable::run)
            .maxFrameLength(ConformanceServerCommand.MAX_FRAME)
            .requestTimeout(Duration.ofSeconds(30))
            .closeTimeout(Duration.ofSeconds(5)));
  }

  static String describe(Throwable e) {
    if (e instanceof ScenarioFailure) {
      return e.getMessage();
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
