package io.packetstream.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Names the {@code packetstream.*} property a configuration lacks, the rule and the fix. */
final class MissingPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<MissingPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, MissingPropertyException cause) {
    return new FailureAnalysis(
        "Configuration property '" + cause.property() + "' is not set: " + cause.rule() + ".",
        cause.action(),
        cause);
  }
}
