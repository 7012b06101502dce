package io.packetstream.spring.client;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains at start-up which methods of a {@link PacketExchange} interface cannot be mapped. */
public final class PacketExchangeFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidPacketExchangeException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, InvalidPacketExchangeException cause) {
    return new FailureAnalysis(
        "An interface of @PacketExchange methods cannot be made into a client:\n\n    - "
            + String.join("\n    - ", cause.problems()),
        "Annotate every abstract method @PacketExchange(type = ...), give each at most one"
            + " payload parameter and one @PacketFlags long or int, and return T,"
            + " CompletableFuture<T>, Response or void (see PacketExchange's documentation);"
            + " objects need a PayloadCodec bean (Jackson on the class path provides one).",
        cause);
  }
}
