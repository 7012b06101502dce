package io.packetstream.test.exchanges;

import io.packetstream.spring.client.PacketExchange;

/** The peer the application calls. */
public interface Billing {

  @PacketExchange(type = 1)
  String price(String item);
}
