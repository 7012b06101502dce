package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.client.ClientStartException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a fail-fast client that could not connect at start-up: where it tried to connect (read
 * from its {@code packetstream.clients.NAME} settings), why it failed, and the property that lets
 * the application start without the peer.
 */
final class ClientStartFailureAnalyzer extends AbstractFailureAnalyzer<ClientStartException> {

  private final Environment environment;

  ClientStartFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable root, ClientStartException cause) {
    String prefix = "packetstream.clients." + cause.client();
    PacketStreamProperties.Client c =
        environment == null
            ? null
            : Binder.get(environment)
                .bind(prefix, PacketStreamProperties.Client.class)
                .orElse(null);
    String where = c == null ? "its peer" : address(c);
    Throwable why = cause.getCause() != null ? cause.getCause() : cause;
    return new FailureAnalysis(
        "packetstream client '"
            + cause.client()
            + "' could not connect to "
            + where
            + " at start-up: "
            + why
            + "\n\n"
            + prefix
            + ".fail-fast is true, so the"
            + " application does not start without it.",
        "Start the peer first, or correct where the client connects ("
            + settings(prefix, c)
            + "); or set "
            + prefix
            + ".fail-fast=false to start without the peer and connect in"
            + " the background (PacketStreamClient.awaitConnected(timeout) waits for it).",
        cause);
  }

  private static String address(PacketStreamProperties.Client c) {
    if (c.getServiceId() != null) {
      return "an instance of service-id '" + c.getServiceId() + "'";
    }
    if (!c.getAddresses().isEmpty()) {
      return "any of " + c.getAddresses();
    }
    if (c.getUnixSocketPath() != null) {
      return "Unix domain socket " + c.getUnixSocketPath();
    }
    return c.getHost() + ":" + c.getPort();
  }

  private static String settings(String prefix, PacketStreamProperties.Client c) {
    if (c != null && c.getServiceId() != null) {
      return prefix + ".service-id";
    }
    if (c != null && !c.getAddresses().isEmpty()) {
      return prefix + ".addresses";
    }
    if (c != null && c.getUnixSocketPath() != null) {
      return prefix + ".unix-socket-path";
    }
    return prefix + ".host and " + prefix + ".port";
  }
}
