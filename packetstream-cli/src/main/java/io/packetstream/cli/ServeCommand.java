package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import io.packetstream.transport.PacketServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: a mock peer for tests of other services. It answers every request from a table of
 * canned or echo replies ({@link Replies}, read from {@code --replies FILE}), or echoes everything
 * without one, until SIGTERM or Ctrl-C: then it stops accepting, lets the running requests finish
 * and answer, closes every connection gracefully and exits with status 0.
 *
 * <p>It prints {@code serve: listening on HOST:PORT} on stdout once it listens (with {@code --port
 * 0}, the port it picked), and one line per request on stderr unless {@code --quiet}:
 *
 * <pre>
 * serve: channel=0 type=1 flags=0 size=4 -&gt; ok flags=3 size=4 (line 3)
 * </pre>
 *
 * A replies file that cannot be read or has a wrong line is a usage error (exit status 2) whose
 * message names the file, line and column.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Answer requests from a table of canned or echo replies (--replies FILE), or echo "
            + "everything, until killed: a mock peer for tests of other services.")
final class ServeCommand implements Callable<Integer> {

  @Mixin Endpoint endpoint;

  @Option(
      names = "--replies",
      paramLabel = "FILE",
      description =
          "The reply table, one rule per line: MATCH [channel=N] -> ok|fail [flags=N] "
              + "[delay=MS] [echo | text \"TEXT\" | hex HEX... | file PATH], MATCH a request type "
              + "or * (the default); # starts a comment. Without it every request on channel 0 is "
              + "echoed.")
  Path replies;

  @Option(names = "--quiet", description = "Do not log each request on stderr.")
  boolean quiet;

  @Spec CommandSpec spec;

  private final CountDownLatch stopRequested = new CountDownLatch(1);

  /** The server, once it listens; for tests. */
  volatile PacketServer server;

  @Override
  public Integer call() throws IOException, InterruptedException {
    // read the table before binding, so that a bad file never opens the port
    Replies table = replies == null ? Replies.echo() : Replies.read(replies);
    // caught before the port opens, so that a SIGTERM once it listens always closes gracefully
    StopSignal signals =
        new StopSignal("serve", shutdownTimeout(closeTimeout(table)).plusSeconds(2), this::stop);
    try {
      PacketServer listening = start(endpoint, table, quiet ? null : spec.commandLine().getErr());
      server = listening;
      PrintWriter out = spec.commandLine().getOut();
      out.println("serve: listening on " + endpoint.host + ":" + listening.port());
      out.flush();
      try {
        stopRequested.await();
      } finally {
        listening.close();
      }
    } finally {
      signals.close();
    }
    return 0;
  }

  /**
   * Requests the stop, as SIGTERM does: the command closes its server gracefully (running requests
   * still answer) and returns 0.
   */
  void stop() {
    stopRequested.countDown();
  }

  /**
   * Starts serving {@code table} on the endpoint's address, logging each request on {@code log}
   * unless it is null; the caller closes the server.
   */
  static PacketServer start(Endpoint endpoint, Replies table, PrintWriter log) throws IOException {
    Duration closeTimeout = closeTimeout(table);
    PacketConnection.Builder connections =
        endpoint.configure(PacketConnection.builder().closeTimeout(closeTimeout));
    RequestHandler handler = request -> answer(table, request, log);
    for (long channel : table.channels()) {
      connections.handler(channel, handler);
    }
    return PacketServer.builder(connections)
        .name("serve")
        .shutdownTimeout(shutdownTimeout(closeTimeout))
        .bind(new InetSocketAddress(endpoint.host, endpoint.port));
  }

  /** How long a connection's graceful close may take: time for the slowest rule to answer. */
  private static Duration closeTimeout(Replies table) {
    return Duration.ofSeconds(5).plusMillis(table.longestDelayMs());
  }

  private static Duration shutdownTimeout(Duration closeTimeout) {
    return closeTimeout.plusSeconds(3);
  }

  private static Reply answer(Replies table, Request request, PrintWriter log) {
    Replies.Rule rule = table.rule(request);
    if (rule == null || rule.delayMs() == 0) {
      return logged(rule, request, log);
    }
    return Reply.later(
        CompletableFuture.supplyAsync(
            () -> logged(rule, request, log),
            CompletableFuture.delayedExecutor(rule.delayMs(), TimeUnit.MILLISECONDS)));
  }

  /** The rule's answer to the request, logged on {@code log} unless it is null. */
  private static Response logged(Replies.Rule rule, Request request, PrintWriter log) {
    // no rule: the original's answer to a request type it has no handler for
    Response answer = rule != null ? rule.answer(request) : Response.failure();
    if (log != null) {
      log.println(
          "serve: channel="
              + request.channel()
              + " type="
              + request.rqType()
              + " flags="
              + request.flags()
              + " size="
              + request.payload().length
              + " -> "
              + (answer.ok() ? "ok" : "fail")
              + " flags="
              + answer.flags()
              + " size="
              + answer.payload().length
              + (rule == null
                  ? " (no rule)"
                  : rule.line() == 0 ? " (echo)" : " (line " + rule.line() + ")"));
      log.flush();
    }
    return answer;
  }
}
