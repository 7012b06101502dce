package io.packetstream.spring.autoconfigure;

/**
 * A {@code packetstream.*} setting the configuration needs is not set; thrown at start-up and
 * explained by {@link MissingPropertyFailureAnalyzer}.
 */
final class MissingPropertyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String property;
  private final String rule;
  private final String action;

  /** {@code property} is not set; {@code rule} says why it is needed, {@code action} what to do. */
  MissingPropertyException(String property, String rule, String action) {
    super(property + " is not set: " + rule);
    this.property = property;
    this.rule = rule;
    this.action = action;
  }

  String property() {
    return property;
  }

  String rule() {
    return rule;
  }

  String action() {
    return action;
  }
}
