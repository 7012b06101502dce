package io.packetstream.spring.context;

/**
 * Receives the activity ticks of every connection when {@code packetstream.tick=true}: a short
 * label per packet ({@code >Q} request sent, {@code <A} answer received, {@code >EOF}, ...). The
 * default writes them to standard error, as the original's {@code tick=True} does; define a bean of
 * this type to send them elsewhere.
 */
@FunctionalInterface
public interface ActivityTick {

  /** One packet crossed the connection {@code connectionName}. */
  void tick(String connectionName, String label);
}
