package io.packetstream.test.app;

import io.packetstream.spring.handler.PacketControllerAdvice;
import io.packetstream.spring.handler.PacketExceptionHandler;

/** Answers every handler's bad arguments. */
@PacketControllerAdvice
public class OrderAdvice {

  @PacketExceptionHandler
  String badArgument(IllegalArgumentException e) {
    return "bad order: " + e.getMessage();
  }
}
