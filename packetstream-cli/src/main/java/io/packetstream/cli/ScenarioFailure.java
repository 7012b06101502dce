package io.packetstream.cli;

/** A conformance scenario's finding: the service answered, but wrongly. */
final class ScenarioFailure extends Exception {

  ScenarioFailure(String message) {
    super(message);
  }
}
