package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.context.ActivityTick;

/** The original's {@code tick=True}: every label to standard error, as it happens. */
final class StandardErrorTick implements ActivityTick {

  static final StandardErrorTick INSTANCE = new StandardErrorTick();

  @Override
  public void tick(String connectionName, String label) {
    System.err.print(label);
    System.err.flush();
  }
}
