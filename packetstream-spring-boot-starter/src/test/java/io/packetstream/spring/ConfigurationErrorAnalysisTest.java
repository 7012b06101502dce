package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.StartupFailures.Analyzed;
import io.packetstream.spring.handler.PacketChannel;
import io.packetstream.spring.handler.PacketHandler;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * Each configuration mistake a newcomer makes in {@code application.yml} stops start-up with Boot's
 * failure-analysis box (the description and action Boot's analyzers from {@code spring.factories}
 * produce) naming the property and the rule, in Spring's duration style.
 */
@Timeout(120)
class ConfigurationErrorAnalysisTest {

  /** An application with one handler and everything the starter auto-configures. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Echo.class)
  static class App {}

  static class Echo {
    @PacketHandler(1)
    String echo(String s) {
      return s;
    }
  }

  private static Analyzed start(String... properties) {
    Analyzed a = StartupFailures.run(App.class, properties);
    assertThat(a.analysis()).as("an analysis of %s", a).isNotNull();
    return a;
  }

  private static String description(Analyzed a) {
    return a.analysis().getDescription();
  }

  private static String action(Analyzed a) {
    return a.analysis().getAction();
  }

  @Test
  void aClientWithoutAPortNamesThePropertiesToSet() {
    Analyzed a = start("packetstream.clients.billing.host=127.0.0.1");
    assertThat(description(a)).contains("packetstream.clients.billing.port");
    assertThat(action(a))
        .contains(
            "packetstream.clients.billing.port", "packetstream.clients.billing.unix-socket-path");
  }

  @Test
  void aFailFastClientThatCannotConnectNamesTheAddressAndTheProperty() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Analyzed a =
        start(
            "packetstream.clients.billing.host=127.0.0.1",
            "packetstream.clients.billing.port=" + closed,
            "packetstream.clients.billing.fail-fast=true");
    assertThat(description(a)).contains("billing", "127.0.0.1:" + closed, "Connection refused");
    assertThat(action(a)).contains("packetstream.clients.billing.fail-fast");
  }

  @Test
  void aMissingServerSslBundleNamesTheProperty() {
    Analyzed a =
        start(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.ssl.bundle=nope");
    assertThat(description(a)).contains("packetstream.server.ssl.bundle", "nope");
    assertThat(description(a) + action(a)).contains("spring.ssl.bundle");
  }

  @Test
  void aServerSslBundleWithoutAKeyStoreNamesThePropertyAndTheRule() {
    Analyzed a =
        start(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "spring.ssl.bundle.jks.trustonly.truststore.location=classpath:tls/trust.p12",
            "spring.ssl.bundle.jks.trustonly.truststore.password=changeit",
            "spring.ssl.bundle.jks.trustonly.truststore.type=PKCS12",
            "packetstream.server.ssl.bundle=trustonly");
    assertThat(description(a)).contains("packetstream.server.ssl.bundle", "trustonly", "key store");
  }

  @Test
  void aMissingClientSslBundleNamesTheProperty() {
    Analyzed a =
        start(
            "packetstream.clients.billing.port=5", "packetstream.clients.billing.ssl.bundle=nope");
    assertThat(description(a)).contains("packetstream.clients.billing.ssl.bundle", "nope");
  }

  @Test
  void aBackOffMultiplierBelowOneNamesThePropertyAndTheRule() {
    Analyzed a =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.reconnect.multiplier=0.5");
    assertThat(description(a))
        .contains("packetstream.clients.billing.reconnect.multiplier", "at least 1");
  }

  @Test
  void aBackOffMaxDelayBelowTheInitialOneSaysSoInSpringsDurationStyle() {
    Analyzed a =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.reconnect.max-delay=10ms");
    assertThat(description(a))
        .contains("packetstream.clients.billing.reconnect.max-delay", "initial-delay (200ms)")
        .doesNotContain("PT");
  }

  @Test
  void aNegativeInitialBackOffDelayNamesTheProperty() {
    Analyzed a =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.reconnect.initial-delay=-1s");
    assertThat(description(a))
        .contains("packetstream.clients.billing.reconnect.initial-delay")
        .doesNotContain("PT");
  }

  @Test
  void coreRefusalsUsePropertyNamesAndSpringsDurationStyle() {
    Analyzed a =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.probe-interval=-1500ms");
    assertThat(description(a))
        .contains("packetstream.clients.billing.probe-interval -1500ms")
        .doesNotContain("probeInterval")
        .doesNotContain("PT");
    Analyzed b = start("packetstream.server.port=0", "packetstream.server.probe-timeout=0");
    assertThat(description(b))
        .contains("packetstream.server.probe-timeout")
        .contains("packetstream.server.probe-interval=0")
        .doesNotContain("probeTimeout")
        .doesNotContain("probeInterval(");
    Analyzed c = start("packetstream.server.port=0", "packetstream.request-timeout=-1s");
    assertThat(description(c)).contains("packetstream.request-timeout -1s is negative");
    Analyzed d =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.request-timeout=-2s");
    assertThat(description(d))
        .contains("packetstream.clients.billing.request-timeout -2s is negative")
        .doesNotContain("requestTimeout");
  }

  @Test
  void aServerPortInUseNamesThePortAndTheProperty() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Analyzed a =
          start(
              "packetstream.server.port=" + taken.getLocalPort(),
              "packetstream.server.address=127.0.0.1");
      assertThat(description(a)).contains("127.0.0.1:" + taken.getLocalPort(), "in use");
      // taken in this very JVM, as a cached test context takes it: not only "another process"
      assertThat(description(a)).contains("or by another application context in this JVM");
      assertThat(action(a)).contains("packetstream.server.port");
    }
  }

  @Test
  void aServerUnixSocketInAMissingDirectoryNamesThePath() {
    Analyzed a = start("packetstream.server.unix-socket-path=/nonexistent-ps-dir/server.sock");
    assertThat(description(a)).contains("/nonexistent-ps-dir/server.sock");
    assertThat(action(a)).contains("packetstream.server.unix-socket-path");
  }

  @Test
  void aBlankServerNameIsRefused() {
    Analyzed a = start("packetstream.server.port=0", "packetstream.server.name= ");
    assertThat(description(a)).contains("packetstream.server.name");
  }

  @Test
  void aMaxCollectedValuesBelowOneNamesThePropertyAndItsDefault() {
    Analyzed a = start("packetstream.server.port=0", "packetstream.max-collected-values=0");
    assertThat(description(a)).contains("packetstream.max-collected-values", "'0'", "at least 1");
    assertThat(action(a)).contains("packetstream.max-collected-values", "10000");
  }

  @Test
  void aServerWithBothAPortAndAUnixSocketIsRefused() {
    Analyzed a =
        start(
            "packetstream.server.port=0",
            "packetstream.server.unix-socket-path=/tmp/ps-both-" + ProcessHandle.current().pid());
    assertThat(description(a))
        .contains("packetstream.server.unix-socket-path", "packetstream.server.port");
  }

  @Test
  void aClientWithBothAPortAndAUnixSocketIsRefused() {
    Analyzed a =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.unix-socket-path=/tmp/peer.sock");
    assertThat(description(a))
        .contains(
            "packetstream.clients.billing.unix-socket-path", "packetstream.clients.billing.port");
  }

  @Test
  void aClientHostWrittenAsAUrlOrWithAPortIsRefused() {
    Analyzed url =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.host=tcp://billing.internal");
    assertThat(description(url))
        .contains(
            "packetstream.clients.billing.host",
            "tcp://billing.internal",
            "packetstream.clients.billing.port");
    Analyzed withPort =
        start(
            "packetstream.clients.billing.port=5",
            "packetstream.clients.billing.host=billing.internal:9000");
    assertThat(description(withPort))
        .contains("packetstream.clients.billing.host", "billing.internal:9000");
  }

  @Test
  void anIpv6ClientHostIsAccepted() {
    assertThat(
            StartupFailures.starts(
                App.class,
                "packetstream.clients.billing.port=5",
                "packetstream.clients.billing.host=::1"))
        .isTrue();
  }

  @Test
  void aBlankClientHostIsRefused() {
    Analyzed a = start("packetstream.clients.billing.port=5", "packetstream.clients.billing.host=");
    assertThat(description(a)).contains("packetstream.clients.billing.host");
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(ChannelOutOfRange.class)
  static class BadChannelApp {}

  static class ChannelOutOfRange {
    @PacketHandler(value = 1, channel = -2)
    String echo(String s) {
      return s;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(TypeOutOfRange.class)
  static class BadTypeApp {}

  @PacketChannel(3)
  static class TypeOutOfRange {
    @PacketHandler(-5)
    String echo(String s) {
      return s;
    }
  }

  @Test
  void aHandlerChannelOutOfRangeSaysItIsTheChannelAndTheRange() {
    Analyzed a = StartupFailures.run(BadChannelApp.class, "packetstream.server.port=0");
    assertThat(description(a))
        .contains("channel -2 is out of range", "0 to ")
        .doesNotContain("request type 1 out of range");
  }

  @Test
  void aHandlerTypeOutOfRangeSaysItIsTheTypeAndTheRange() {
    Analyzed a = StartupFailures.run(BadTypeApp.class, "packetstream.server.port=0");
    assertThat(description(a))
        .contains("request type -5 is out of range", "0 to ")
        .doesNotContain("channel 3 ");
  }

  @Test
  void aRenamedQueuedAnswerLimitNamesItsReplacementInsteadOfBeingIgnored() {
    Analyzed a = start("packetstream.max-queued-answer-bytes=1KB");
    assertThat(description(a))
        .contains(
            "packetstream.max-queued-answer-bytes", "1KB", "packetstream.max-queued-answer-size");
  }

  @Test
  void aRenamedQueuedRequestLimitInItsCamelCaseFormNamesItsReplacement() {
    Analyzed a = start("packetstream.maxQueuedRequestBytes=2MB");
    assertThat(description(a))
        .contains(
            "packetstream.max-queued-request-bytes", "2MB", "packetstream.max-queued-request-size");
  }
}
