package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.context.ServerStartException;
import java.net.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a server that could not listen at start-up: the address it tried (read from {@code
 * packetstream.server.*}), why it failed, and the property to change.
 */
final class ServerStartFailureAnalyzer extends AbstractFailureAnalyzer<ServerStartException> {

  private static final String PREFIX = "packetstream.server";

  private final Environment environment;

  ServerStartFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable root, ServerStartException cause) {
    PacketStreamProperties.Server s =
        environment == null
            ? null
            : Binder.get(environment)
                .bind(PREFIX, PacketStreamProperties.Server.class)
                .orElse(null);
    Throwable why = cause.getCause() != null ? cause.getCause() : cause;
    if (s != null && s.getUnixSocketPath() != null) {
      return new FailureAnalysis(
          "packetstream server '"
              + cause.server()
              + "' could not listen"
              + " on Unix domain socket "
              + s.getUnixSocketPath()
              + ": "
              + why,
          "Create the socket's directory and let the application write there, or set "
              + PREFIX
              + ".unix-socket-path to a path it can create.",
          cause);
    }
    String address =
        s == null
            ? "its address"
            : (s.getAddress() == null ? "*" : s.getAddress().getHostAddress()) + ":" + s.getPort();
    boolean inUse =
        why instanceof BindException
            && why.getMessage() != null
            && why.getMessage().toLowerCase(java.util.Locale.ROOT).contains("in use");
    if (inUse) {
      return new FailureAnalysis(
          "packetstream server '"
              + cause.server()
              + "' could not listen"
              + " on "
              + address
              + ": the port is in use ("
              + why
              + "), by another process or by another application context in this JVM (a"
              + " cached test context, say).",
          "Stop what listens on the port, or set "
              + PREFIX
              + ".port to another"
              + " port (0 takes any free one, as tests should; the port taken is published as "
              + "local.packetstream.server.port).",
          cause);
    }
    return new FailureAnalysis(
        "packetstream server '" + cause.server() + "' could not listen on " + address + ": " + why,
        "Check "
            + PREFIX
            + ".address (an address of this machine; leave it out to listen on"
            + " all of them) and "
            + PREFIX
            + ".port.",
        cause);
  }
}
