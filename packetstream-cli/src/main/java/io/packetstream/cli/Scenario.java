package io.packetstream.cli;

/** One named check of the conformance client; its body throws to fail. */
record Scenario(String name, Body body) {

  /** What a scenario does on its own connection. */
  @FunctionalInterface
  interface Body {
    void run(ScenarioContext context) throws Exception;
  }
}
