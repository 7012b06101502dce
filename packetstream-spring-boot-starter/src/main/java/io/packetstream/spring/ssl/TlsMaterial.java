package io.packetstream.spring.ssl;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * The TLS material of one SSL bundle as it is now: its context and options, replaced when the
 * bundle is updated (Boot reloads bundles whose files change, with {@code
 * spring.ssl.bundle.*.reload-on-update}), so that each new connection uses the latest. Connections
 * already open keep theirs.
 */
public final class TlsMaterial {

  private record Current(SSLContext context, SslOptions options) {}

  private volatile Current current;

  private TlsMaterial(SslBundle bundle) {
    update(bundle);
  }

  /**
   * The material of bundle {@code name}, followed as it is updated; {@code owner} names who asks.
   */
  public static TlsMaterial of(ObjectProvider<SslBundles> bundles, String name, String owner) {
    SslBundles all = bundles.getIfAvailable();
    String undefined =
        "there is no SSL bundle '"
            + name
            + "': define it under"
            + " spring.ssl.bundle.pem."
            + name
            + " or spring.ssl.bundle.jks."
            + name;
    if (all == null) {
      throw new InvalidConfigurationPropertyValueException(owner + ".ssl.bundle", name, undefined);
    }
    SslBundle bundle;
    try {
      bundle = all.getBundle(name);
    } catch (NoSuchSslBundleException e) {
      throw new InvalidConfigurationPropertyValueException(
          owner + ".ssl.bundle", name, undefined + " (defined: " + all.getBundleNames() + ")");
    }
    TlsMaterial material = new TlsMaterial(bundle);
    all.addBundleUpdateHandler(name, material::update);
    return material;
  }

  /** The material of {@code bundle}, which is never updated. */
  static TlsMaterial fixed(SslBundle bundle) {
    return new TlsMaterial(bundle);
  }

  private void update(SslBundle bundle) {
    current = new Current(bundle.createSslContext(), bundle.getOptions());
  }

  SSLContext context() {
    return current.context();
  }

  SslOptions options() {
    return current.options();
  }

  /**
   * Limits {@code params} to the ciphers and protocols {@code options} name, where they name any;
   * for server and client sockets alike.
   */
  static SSLParameters limit(SSLParameters params, SslOptions options) {
    if (options.getCiphers() != null) {
      params.setCipherSuites(options.getCiphers());
    }
    if (options.getEnabledProtocols() != null) {
      params.setProtocols(options.getEnabledProtocols());
    }
    return params;
  }
}
