package io.packetstream.test.app;

import io.packetstream.spring.handler.PacketHandler;

/** Declares a handler method for {@link InheritedHandlers}; not a bean itself. */
abstract class HandlerBase {

  @PacketHandler(InheritedHandlers.INHERITED)
  String inherited() {
    return "from the superclass";
  }
}
