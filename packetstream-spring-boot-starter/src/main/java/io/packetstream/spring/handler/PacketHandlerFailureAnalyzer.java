package io.packetstream.spring.handler;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains at start-up which {@link PacketHandler} and {@link PacketExceptionHandler} methods are
 * in conflict or cannot be served.
 */
public final class PacketHandlerFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidPacketHandlerException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, InvalidPacketHandlerException cause) {
    return new FailureAnalysis(
        "The application's @PacketHandler or @PacketExceptionHandler methods cannot be"
            + " served:\n\n    - "
            + String.join("\n    - ", cause.problems()),
        "Give each (channel, request type) exactly one @PacketHandler method, and use parameter"
            + " and return types the starter maps (see PacketHandler's documentation); objects"
            + " need a PayloadCodec bean (Jackson on the class path provides one). Handler"
            + " methods are instance methods, not private on a proxied bean. A"
            + " @PacketExceptionHandler method takes the exception, PacketHandlerMethod,"
            + " RequestContext, Request or PacketConnection.",
        cause);
  }
}
