package io.packetstream.spring.client;

import java.util.List;

/**
 * An interface cannot be made into a {@link PacketExchange} proxy: a method without the annotation,
 * or with a parameter or return type the starter cannot map. Thrown when the proxy is made (for
 * registered interfaces, at start-up); every problem names its method.
 */
public class InvalidPacketExchangeException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  InvalidPacketExchangeException(Class<?> type, List<String> problems) {
    super(
        "Invalid @PacketExchange interface "
            + type.getName()
            + ":\n  - "
            + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem found, one sentence each, naming its method. */
  public List<String> problems() {
    return problems;
  }
}
