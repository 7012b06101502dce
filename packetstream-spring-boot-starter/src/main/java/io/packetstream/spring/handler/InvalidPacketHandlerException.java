package io.packetstream.spring.handler;

import java.util.List;

/**
 * The application's {@link PacketHandler} methods cannot be served: two answer the same request
 * type on the same channel, or one has a parameter or return type the starter cannot map. Thrown at
 * start-up, so that a mistake never reaches a peer; every problem names its methods.
 */
public class InvalidPacketHandlerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** An exception listing {@code problems}, one sentence each. */
  public InvalidPacketHandlerException(List<String> problems) {
    super("Invalid @PacketHandler methods:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem found, one sentence each, naming the methods involved. */
  public List<String> problems() {
    return problems;
  }
}
