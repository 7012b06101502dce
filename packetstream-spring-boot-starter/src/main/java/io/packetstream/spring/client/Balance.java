package io.packetstream.spring.client;

/** How a balanced client picks the instance a request goes to, among those ready to take it. */
public enum Balance {
  /** Each instance in turn. */
  ROUND_ROBIN,
  /**
   * The instance with the fewest requests awaiting answers (ties in turn): a slow instance gets
   * less work.
   */
  LEAST_PENDING
}
