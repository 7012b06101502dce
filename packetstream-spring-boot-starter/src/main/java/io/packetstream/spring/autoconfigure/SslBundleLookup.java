package io.packetstream.spring.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/** Finds the SSL bundle a server or client names, with an error that says who asked for it. */
final class SslBundleLookup {

  private SslBundleLookup() {}

  static SslBundle get(ObjectProvider<SslBundles> bundles, String name, String owner) {
    SslBundles all = bundles.getIfAvailable();
    if (all == null) {
      throw new IllegalStateException(owner + ".ssl.bundle=" + name
          + " but the application has no SSL bundles (spring.ssl.bundle.*)");
    }
    return all.getBundle(name);
  }
}
