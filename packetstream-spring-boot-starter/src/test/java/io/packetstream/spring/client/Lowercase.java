package io.packetstream.spring.client;

import io.packetstream.spring.handler.PacketChannel;

/** An exchange on channel 2 by its interface's annotation, registered by property. */
@PacketChannel(2)
public interface Lowercase {

  @PacketExchange(type = 3)
  String lower(String text);
}
