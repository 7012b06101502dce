package io.packetstream.test.autoconfigure;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * For a test with {@link AutoConfigurePacketStream @AutoConfigurePacketStream} (so also {@link
 * PacketStreamTest @PacketStreamTest}) whose environment says {@code
 * packetstream.test.transport=in-memory}: turns the server off ({@code
 * packetstream.server.enabled=false}), since the tester then needs no socket. Read once the
 * environment holds the application's configuration files and the test's properties.
 */
final class InMemoryTransportContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public @Nullable ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    boolean annotated =
        MergedAnnotations.search(SearchStrategy.TYPE_HIERARCHY)
            .withEnclosingClasses(c -> true)
            .from(testClass)
            .isPresent(AutoConfigurePacketStream.class);
    return annotated ? new ServerOff() : null;
  }

  /** Turns the server off for the in-memory transport. */
  private static final class ServerOff implements ContextCustomizer {

    @Override
    public void customizeContext(
        ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
      ConfigurableEnvironment environment = context.getEnvironment();
      if (TestTransport.of(environment) == TestTransport.IN_MEMORY) {
        environment
            .getPropertySources()
            .addFirst(
                new MapPropertySource(
                    "packetstreamInMemoryTransport",
                    Map.of("packetstream.server.enabled", "false")));
      }
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof ServerOff;
    }

    @Override
    public int hashCode() {
      return ServerOff.class.hashCode();
    }
  }
}
