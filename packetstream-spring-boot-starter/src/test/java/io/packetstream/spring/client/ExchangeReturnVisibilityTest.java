package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The JDK's proxy of a public interface cannot cast an answer to a type that is not public: such a
 * method is refused at start-up, naming it, instead of throwing {@link IllegalAccessError} at every
 * call. A package-private interface, whose proxy lives in its own package, may return one, as a
 * call over a real socket shows.
 */
@Timeout(60)
class ExchangeReturnVisibilityTest {

  record Hidden(String text) {}

  /** Public, as an IDE makes a new interface, returning a package-private record. */
  public interface PublicApi {
    @PacketExchange(type = 1)
    Hidden fetch(String key);
  }

  interface PackageApi {
    @PacketExchange(type = 1)
    Hidden fetch(String key);
  }

  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(client = "shop", types = PublicApi.class)
  static class ImportsPublic {}

  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(client = "shop", types = PackageApi.class)
  static class ImportsPackagePrivate {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  JacksonAutoConfiguration.class,
                  PacketStreamAutoConfiguration.class,
                  PacketStreamClientsAutoConfiguration.class));

  @Test
  void aPublicInterfaceReturningATypeThatIsNotPublicFailsStartUpNamingTheMethod() {
    runner
        .withUserConfiguration(ImportsPublic.class)
        .withPropertyValues(
            "packetstream.clients.shop.host=127.0.0.1",
            "packetstream.clients.shop.port=1",
            "packetstream.clients.shop.reconnect.enabled=false")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOfSatisfying(
                      InvalidPacketExchangeException.class,
                      e ->
                          assertThat(e.problems())
                              .singleElement()
                              .asString()
                              .startsWith(
                                  "PublicApi.fetch(String): returns " + Hidden.class.getName())
                              .contains("which is not public")
                              .endsWith("make Hidden public, or PublicApi package-private"));
            });
  }

  @Test
  void aPackagePrivateInterfaceMayReturnATypeThatIsNotPublic() throws Exception {
    try (TestPeer peer = new TestPeer("{\"text\":\"found\"}")) {
      runner
          .withUserConfiguration(ImportsPackagePrivate.class)
          .withPropertyValues(
              "packetstream.clients.shop.host=127.0.0.1",
              "packetstream.clients.shop.port=" + peer.port(),
              "packetstream.clients.shop.fail-fast=true")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(PackageApi.class).fetch("k"))
                    .isEqualTo(new Hidden("found"));
              });
    }
  }
}
