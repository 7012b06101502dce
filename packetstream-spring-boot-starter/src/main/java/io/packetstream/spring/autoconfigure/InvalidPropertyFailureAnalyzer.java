package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.context.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Explains a {@code packetstream.*} property whose value the starter refused at start-up: Boot's
 * description (the value, where it was set, the rule), and an Action that names the property and
 * says what to set it to, by its rule, where Boot's own analyzer only says to review the value.
 * Properties of other prefixes are Boot's to explain. Ordered before Boot's analyzers, which would
 * otherwise answer first.
 */
final class InvalidPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidConfigurationPropertyValueException> implements Ordered {

  private static final String PREFIX = "packetstream.";

  private final @Nullable Environment environment;

  InvalidPropertyFailureAnalyzer(@Nullable Environment environment) {
    this.environment = environment;
  }

  @Override
  protected @Nullable FailureAnalysis analyze(
      Throwable root, InvalidConfigurationPropertyValueException cause) {
    String name = cause.getName();
    if (!name.startsWith(PREFIX)) {
      return null;
    }
    return new FailureAnalysis(description(cause), action(name, cause.getValue()), cause);
  }

  private String description(InvalidConfigurationPropertyValueException cause) {
    Origin origin = origin(cause.getName());
    return "Invalid value '"
        + cause.getValue()
        + "' for configuration property '"
        + cause.getName()
        + "'"
        + (origin == null ? "" : " (originating from '" + origin + "')")
        + ". Validation failed for the following reason:\n\n"
        + cause.getReason();
  }

  /** What to set, by the property's rule. */
  String action(String name, @Nullable Object value) {
    String owner = name.substring(0, name.lastIndexOf('.'));
    String leaf = name.substring(owner.length() + 1);
    if (name.endsWith(".reconnect.multiplier")) {
      return "Set "
          + name
          + " to 1 or more: 2 (the default) doubles the wait after each failed attempt, up to "
          + owner
          + ".max-delay; 1 waits "
          + owner
          + ".initial-delay every time.";
    }
    if (name.endsWith(".reconnect.max-delay")) {
      Duration initial = reconnect(owner).getInitialDelay();
      return "Set "
          + name
          + " to "
          + (initial.isNegative() ? "a duration" : Durations.format(initial))
          + " ("
          + owner
          + ".initial-delay) or more, such as 30s (the default); or lower "
          + owner
          + ".initial-delay.";
    }
    if (name.endsWith(".reconnect.initial-delay")) {
      return "Set "
          + name
          + " to the wait before the first retry: 0 or more, such as 200ms (the default).";
    }
    if (leaf.equals("request-timeout")) {
      return name.equals("packetstream.request-timeout")
          ? "Set packetstream.request-timeout to how long a request waits for its answer, such as"
              + " 10s, or to 0 to wait without limit (the default)."
          : "Set "
              + name
              + " to how long this client's typed calls and exchanges wait for an answer, such as"
              + " 5s, or to 0 (the default) to leave it to packetstream.request-timeout.";
    }
    if (leaf.equals("host")) {
      return hostAction(name, owner, value);
    }
    if (leaf.equals("unix-socket-path")) {
      return socketAction(name, owner, value);
    }
    if (name.endsWith(".ssl.bundle")) {
      return bundleAction(name, owner.substring(0, owner.length() - ".ssl".length()), value);
    }
    if (leaf.equals("port")) {
      if (balanced(owner)) {
        return "Remove " + name + ": " + balancedBy(owner) + " gives the instances' ports.";
      }
      return name.equals("packetstream.server.port")
          ? "Set packetstream.server.port to a TCP port from 1 to 65535, or to 0 to take any free"
              + " one (published as local.packetstream.server.port)."
          : "Set " + name + " to the peer's TCP port, from 1 to 65535.";
    }
    Object fallback = defaultOf(name);
    return "Change "
        + name
        + " as the reason above says"
        + (fallback == null ? "." : ", or remove it to use the default (" + fallback + ").");
  }

  private String hostAction(String name, String owner, @Nullable Object value) {
    String text = value == null ? "" : value.toString().strip();
    if (!text.isEmpty()) {
      try {
        URI uri = URI.create(text.contains("://") ? text : "tcp://" + text);
        if (uri.getHost() != null) {
          return "Set "
              + name
              + "="
              + uri.getHost()
              + (uri.getPort() >= 0
                  ? " and " + owner + ".port=" + uri.getPort()
                  : " (a host alone: the port goes in " + owner + ".port)")
              + ".";
        }
      } catch (IllegalArgumentException notAUri) {
        // said in general below
      }
    }
    return "Set "
        + name
        + " to a host name or address alone, without scheme or port (the port goes in "
        + owner
        + ".port), or remove it to connect to localhost.";
  }

  private String socketAction(String name, String owner, @Nullable Object value) {
    if (balanced(owner)) {
      return "Remove " + name + ": " + balancedBy(owner) + " connects to each instance over TCP.";
    }
    boolean server = owner.equals("packetstream.server");
    return "Remove "
        + owner
        + ".port to "
        + (server ? "listen" : "connect")
        + " on the Unix domain socket "
        + value
        + ", or remove "
        + name
        + " to "
        + (server ? "listen" : "connect")
        + " on the TCP port "
        + (server ? "" : "of " + owner + ".host ")
        + "("
        + owner
        + ".port).";
  }

  private String bundleAction(String name, String owner, @Nullable Object value) {
    if (isSet(owner + ".unix-socket-path")) {
      return "Remove "
          + name
          + ": TLS does not run over a Unix domain socket; or remove "
          + owner
          + ".unix-socket-path and set "
          + owner
          + ".port to use TLS over TCP.";
    }
    boolean server = owner.equals("packetstream.server");
    String bundle = String.valueOf(value);
    if (!bundleDefined(bundle)) {
      return "Define SSL bundle '"
          + bundle
          + "' under spring.ssl.bundle.pem."
          + bundle
          + " (PEM files) or spring.ssl.bundle.jks."
          + bundle
          + " (a key store file), with "
          + (server
              ? "a key store (the server's certificate and private key)"
              : "a trust store that trusts the server's certificate")
          + "; or set "
          + name
          + " to a bundle that is defined.";
    }
    return "Give SSL bundle '"
        + bundle
        + "' a key store with the server's certificate and private key"
        + " (spring.ssl.bundle.pem."
        + bundle
        + ".keystore.certificate and .private-key, or spring.ssl.bundle.jks."
        + bundle
        + ".keystore.location), or set "
        + name
        + " to a bundle that has one.";
  }

  /** Whether the client under {@code owner} takes its instances from a service or a list. */
  private boolean balanced(String owner) {
    return owner.startsWith("packetstream.clients.")
        && (isSet(owner + ".service-id") || isSet(owner + ".addresses"));
  }

  private String balancedBy(String owner) {
    return "a client with " + (isSet(owner + ".service-id") ? "service-id" : "addresses");
  }

  private PacketStreamProperties.Reconnect reconnect(String prefix) {
    PacketStreamProperties.Reconnect defaults = new PacketStreamProperties.Reconnect();
    if (environment == null) {
      return defaults;
    }
    try {
      return Binder.get(environment)
          .bind(prefix, PacketStreamProperties.Reconnect.class)
          .orElse(defaults);
    } catch (RuntimeException unbindable) {
      return defaults;
    }
  }

  private boolean isSet(String name) {
    return state(name, false) == ConfigurationPropertyState.PRESENT;
  }

  private boolean bundleDefined(String bundle) {
    return state("spring.ssl.bundle.pem." + bundle, true) == ConfigurationPropertyState.PRESENT
        || state("spring.ssl.bundle.jks." + bundle, true) == ConfigurationPropertyState.PRESENT;
  }

  /** Whether a property source sets {@code name} (or, with {@code below}, a property under it). */
  private ConfigurationPropertyState state(String name, boolean below) {
    if (environment == null) {
      return ConfigurationPropertyState.UNKNOWN;
    }
    ConfigurationPropertyName key = ConfigurationPropertyName.adapt(name, '.');
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source.getConfigurationProperty(key) != null) {
        return ConfigurationPropertyState.PRESENT;
      }
      if (below && source.containsDescendantOf(key) == ConfigurationPropertyState.PRESENT) {
        return ConfigurationPropertyState.PRESENT;
      }
    }
    return ConfigurationPropertyState.ABSENT;
  }

  private @Nullable Origin origin(String name) {
    if (environment == null) {
      return null;
    }
    ConfigurationPropertyName key = ConfigurationPropertyName.adapt(name, '.');
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      ConfigurationProperty property = source.getConfigurationProperty(key);
      if (property != null) {
        return property.getOrigin();
      }
    }
    return null;
  }

  /** The default of {@code name}, as a user writes it, or null when it has none to show. */
  private static @Nullable Object defaultOf(String name) {
    String rest = name.substring(PREFIX.length());
    Object defaults = new PacketStreamProperties();
    if (rest.startsWith("clients.")) {
      int end = rest.indexOf('.', "clients.".length());
      if (end < 0) {
        return null;
      }
      defaults = new PacketStreamProperties.Client();
      rest = rest.substring(end + 1);
    }
    BeanWrapperImpl wrapper = new BeanWrapperImpl(defaults);
    String path = camel(rest);
    if (!wrapper.isReadableProperty(path)) {
      return null;
    }
    Object value = wrapper.getPropertyValue(path);
    if (value instanceof Duration d) {
      return Durations.format(d);
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (value instanceof Collection<?> c && c.isEmpty()) {
      return null;
    }
    return value;
  }

  private static String camel(String kebab) {
    StringBuilder path = new StringBuilder();
    boolean upper = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        path.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return path.toString();
  }

  @Override
  public int getOrder() {
    return 0;
  }
}
