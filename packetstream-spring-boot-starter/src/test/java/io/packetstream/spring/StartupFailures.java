package io.packetstream.spring;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * Runs an application that must fail to start and returns the box a user sees: the analysis of the
 * first failure analyzer of {@code META-INF/spring.factories} that explains the failure, found as
 * Boot's {@code FailureAnalyzers} finds it (same loading, same arguments, same order).
 */
public final class StartupFailures {

  private StartupFailures() {}

  /** What a start of {@code application} with {@code properties} fails with, analyzed. */
  public static Analyzed run(Class<?> application, String... properties) {
    AtomicReference<ConfigurableApplicationContext> failed = new AtomicReference<>();
    SpringApplication app =
        new SpringApplicationBuilder(application)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off")
            .properties(properties)
            .listeners(
                (ApplicationListener<ApplicationFailedEvent>)
                    e -> failed.set(e.getApplicationContext()))
            .build();
    Throwable failure = null;
    try (ConfigurableApplicationContext started = app.run()) {
      // started after all: no analysis
    } catch (Throwable t) {
      failure = t;
    }
    if (failure == null) {
      throw new AssertionError("the application started with " + List.of(properties));
    }
    return new Analyzed(failure, analyze(failure, failed.get()));
  }

  /** Whether {@code application} starts with {@code properties} (it is closed again at once). */
  public static boolean starts(Class<?> application, String... properties) {
    try (ConfigurableApplicationContext started =
        new SpringApplicationBuilder(application)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off")
            .properties(properties)
            .run()) {
      return started.isActive();
    }
  }

  /** The analysis Boot would report for {@code failure} of {@code context}, or null. */
  static FailureAnalysis analyze(Throwable failure, ConfigurableApplicationContext context) {
    ClassLoader loader = StartupFailures.class.getClassLoader();
    SpringFactoriesLoader.ArgumentResolver arguments =
        SpringFactoriesLoader.ArgumentResolver.of(
                BeanFactory.class, context == null ? null : context.getBeanFactory())
            .and(Environment.class, context == null ? null : context.getEnvironment());
    List<FailureAnalyzer> analyzers =
        SpringFactoriesLoader.forDefaultResourceLocation(loader)
            .load(FailureAnalyzer.class, arguments);
    for (FailureAnalyzer analyzer : analyzers) {
      FailureAnalysis analysis = analyzer.analyze(failure);
      if (analysis != null) {
        return analysis;
      }
    }
    return null;
  }

  /** A start-up failure and the analysis a user is shown for it (null: a raw stack trace). */
  public record Analyzed(Throwable failure, FailureAnalysis analysis) {

    /** The box's description and action, or the failure's stack when no analyzer explains it. */
    @Override
    public String toString() {
      if (analysis == null) {
        java.io.StringWriter w = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(w));
        return "NO ANALYSIS:\n" + w;
      }
      return "Description:\n" + analysis.getDescription() + "\nAction:\n" + analysis.getAction();
    }
  }
}
