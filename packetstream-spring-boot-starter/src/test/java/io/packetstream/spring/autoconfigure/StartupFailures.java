package io.packetstream.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;

/** The failures that stop a context's start-up, for the auto-configuration tests. */
public final class StartupFailures {

  private StartupFailures() {}

  /** The invalid-property failure that stopped {@code context}. */
  public static InvalidConfigurationPropertyValueException invalidProperty(
      AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    Throwable failure = context.getStartupFailure();
    while (!(failure instanceof InvalidConfigurationPropertyValueException)
        && failure.getCause() != null) {
      failure = failure.getCause();
    }
    assertThat(failure).isInstanceOf(InvalidConfigurationPropertyValueException.class);
    return (InvalidConfigurationPropertyValueException) failure;
  }
}
