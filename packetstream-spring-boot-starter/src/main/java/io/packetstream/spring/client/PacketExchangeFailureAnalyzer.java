package io.packetstream.spring.client;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Explains at start-up which methods of a {@link PacketExchange} interface cannot be mapped, or
 * which client a registered interface names that is not configured.
 */
public final class PacketExchangeFailureAnalyzer implements FailureAnalyzer {

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof InvalidPacketExchangeException invalid) {
        return invalid(invalid);
      }
      if (t instanceof UnknownPacketClientException unknown) {
        return unknown(unknown);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static FailureAnalysis invalid(InvalidPacketExchangeException cause) {
    return new FailureAnalysis(
        "An interface of @PacketExchange methods cannot be made into a client:\n\n    - "
            + String.join("\n    - ", cause.problems()),
        "Annotate every abstract method @PacketExchange(type = ...), give each at most one"
            + " payload parameter and one @PacketFlags long or int, and return T,"
            + " CompletableFuture<T>, Mono<T>, Response or void (see PacketExchange's"
            + " documentation);"
            + " objects need a PayloadCodec bean (Jackson on the class path provides one).",
        cause);
  }

  private static FailureAnalysis unknown(UnknownPacketClientException cause) {
    return new FailureAnalysis(
        cause.source()
            + " names the packetstream client '"
            + cause.client()
            + "', which is not configured. Configured clients: "
            + (cause.configured().isEmpty() ? "none" : String.join(", ", cause.configured()))
            + ".",
        "Configure the client with packetstream.clients"
            + (cause.client().matches("[a-z0-9-]+")
                ? "." + cause.client()
                : "[" + cause.client() + "]")
            + ".* (at least its port), or name one of the configured clients.",
        cause);
  }
}
