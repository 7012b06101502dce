package io.packetstream.test.app;

import org.springframework.stereotype.Component;

/** A handler bean whose method is declared on its superclass. */
@Component
public class InheritedHandlers extends HandlerBase {

  public static final int INHERITED = 5;
}
