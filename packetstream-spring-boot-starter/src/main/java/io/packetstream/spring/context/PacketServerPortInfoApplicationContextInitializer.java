package io.packetstream.spring.context;

import java.util.HashMap;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Sets {@code local.packetstream.server.port} to the port the server listens on (-1 for a Unix
 * domain socket) when it is initialized, as Boot does for its other servers, so that
 * {@code @Value("${local.packetstream.server.port}")} finds a port picked with {@code
 * packetstream.server.port=0}. Registered in {@code META-INF/spring.factories}; add it with {@code
 * withInitializer} to an {@code ApplicationContextRunner}.
 */
public final class PacketServerPortInfoApplicationContextInitializer
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  private static final String PROPERTY = "local.packetstream.server.port";

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    context.addApplicationListener(new Listener(context.getEnvironment()));
  }

  private record Listener(ConfigurableEnvironment environment)
      implements ApplicationListener<PacketServerInitializedEvent> {

    @Override
    public void onApplicationEvent(PacketServerInitializedEvent event) {
      MutablePropertySources sources = environment.getPropertySources();
      PropertySource<?> existing = sources.get("server.ports");
      if (existing instanceof MapPropertySource map) {
        map.getSource().put(PROPERTY, event.getServer().port());
      } else {
        Map<String, Object> ports = new HashMap<>();
        ports.put(PROPERTY, event.getServer().port());
        sources.addFirst(new MapPropertySource("server.ports", ports));
      }
    }
  }
}
