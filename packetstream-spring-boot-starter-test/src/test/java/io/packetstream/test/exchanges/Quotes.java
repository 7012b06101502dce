package io.packetstream.test.exchanges;

import io.packetstream.spring.handler.PacketHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Handlers, one of which asks billing when there is one. */
@Component
class Quotes {

  static final int ECHO = 1;
  static final int QUOTE = 2;

  private final ObjectProvider<Billing> billing;

  Quotes(ObjectProvider<Billing> billing) {
    this.billing = billing;
  }

  @PacketHandler(ECHO)
  String echo(String text) {
    return text;
  }

  @PacketHandler(QUOTE)
  String quote(String item) {
    Billing b = billing.getIfAvailable();
    return b == null ? "no billing" : item + " costs " + b.price(item);
  }
}
