package io.packetstream.spring.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.simple.InstanceProperties;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;

/**
 * Balanced clients in real contexts over real TCP: static addresses without Spring Cloud on the
 * class path, the configuration errors, least-pending against a slow instance, an immediate failure
 * when no instance is there, and a discovery heartbeat that brings a new instance in.
 */
@Timeout(120)
class BalancedClientConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class))
          .withPropertyValues(
              "packetstream.clients.svc.reconnect.initial-delay=50ms",
              "packetstream.clients.svc.reconnect.max-delay=200ms");

  /** The same, with Spring Cloud's simple properties-based discovery. */
  private final ApplicationContextRunner discovering =
      runner.withConfiguration(
          AutoConfigurations.of(
              UtilAutoConfiguration.class,
              SimpleDiscoveryClientAutoConfiguration.class,
              CompositeDiscoveryClientAutoConfiguration.class));

  private final List<TestPeer> peers = new ArrayList<>();

  private TestPeer peer(String label) throws Exception {
    TestPeer p = new TestPeer(label);
    peers.add(p);
    return p;
  }

  @AfterEach
  void stopPeers() {
    peers.forEach(TestPeer::close);
  }

  private static int ready(PacketStreamClient client) {
    int n = 0;
    for (PacketStreamClient i : client.instances()) {
      if (i.status() == PacketStreamClient.Status.CONNECTED) {
        n++;
      }
    }
    return n;
  }

  @Test
  void staticAddressesSpreadRequestsRoundRobinWithoutSpringCloud() throws Exception {
    TestPeer a = peer("a");
    TestPeer b = peer("b");
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
        .withPropertyValues("packetstream.clients.svc.addresses=" + a.address() + "," + b.address())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(ServiceResolver.class);
              PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
              assertThat(svc.isBalanced()).isTrue();
              await().atMost(Duration.ofSeconds(20)).until(() -> ready(svc) == 2);
              List<String> answers = new ArrayList<>();
              for (int i = 0; i < 10; i++) {
                answers.add(svc.call(1, 0, new byte[0]).text());
              }
              assertThat(answers).containsOnly("a", "b");
              assertThat(a.answered.get()).isEqualTo(5);
              assertThat(b.answered.get()).isEqualTo(5);
              assertThat(svc.instances())
                  .extracting(PacketStreamClient::name)
                  .containsExactly("svc[" + a.address() + "]", "svc[" + b.address() + "]");
            });
  }

  @Test
  void serviceIdWithoutSpringCloudFailsAtStartUpNamingTheProperty() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
        .withPropertyValues("packetstream.clients.svc.service-id=billing")
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable cause =
                  rootOf(
                      context.getStartupFailure(),
                      InvalidConfigurationPropertyValueException.class);
              assertThat(cause).isNotNull();
              assertThat(((InvalidConfigurationPropertyValueException) cause).getName())
                  .isEqualTo("packetstream.clients.svc.service-id");
              assertThat(cause.getMessage()).contains("Spring Cloud Commons");
            });
  }

  @Test
  void badBalancedSettingsFailAtStartUpNamingTheProperty() {
    String[][] cases = {
      {"packetstream.clients.svc.addresses", "packetstream.clients.svc.addresses=localhost"},
      {
        "packetstream.clients.svc.port",
        "packetstream.clients.svc.service-id=billing",
        "packetstream.clients.svc.port=7000"
      },
      {
        "packetstream.clients.svc.refresh-interval",
        "packetstream.clients.svc.service-id=billing",
        "packetstream.clients.svc.refresh-interval=0s"
      },
      {
        "packetstream.clients.svc.addresses",
        "packetstream.clients.svc.service-id=billing",
        "packetstream.clients.svc.addresses=127.0.0.1:7000"
      }
    };
    for (String[] c : cases) {
      String[] settings = java.util.Arrays.copyOfRange(c, 1, c.length);
      discovering
          .withPropertyValues(settings)
          .run(
              context -> {
                assertThat(context).hasFailed();
                Throwable cause =
                    rootOf(
                        context.getStartupFailure(),
                        InvalidConfigurationPropertyValueException.class);
                assertThat(cause).as(String.join(", ", settings)).isNotNull();
                assertThat(((InvalidConfigurationPropertyValueException) cause).getName())
                    .isEqualTo(c[0]);
              });
    }
  }

  private static Throwable rootOf(Throwable t, Class<?> type) {
    for (Throwable e = t; e != null; e = e.getCause()) {
      if (type.isInstance(e)) {
        return e;
      }
    }
    return null;
  }

  /**
   * The slow instance holds every request it gets; least-pending sends it one at most (the first,
   * on a tie) and everything else to the fast one, where round-robin would send it half.
   */
  @Test
  void leastPendingFavoursTheInstanceThatAnswers() throws Exception {
    TestPeer slow = peer("slow");
    TestPeer fast = peer("fast");
    slow.hold = true;
    runner
        .withPropertyValues(
            "packetstream.clients.svc.addresses=" + slow.address() + "," + fast.address(),
            "packetstream.clients.svc.balance=least-pending")
        .run(
            context -> {
              PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
              await().atMost(Duration.ofSeconds(20)).until(() -> ready(svc) == 2);
              List<CompletableFuture<Response>> calls = new ArrayList<>();
              for (int i = 0; i < 20; i++) {
                int before = slow.held.get();
                CompletableFuture<Response> f = svc.submit(1, 0, new byte[0]);
                calls.add(f);
                // each request settles (answered, or held by the slow one) before the next is
                // picked
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> f.isDone() || slow.held.get() > before);
              }
              assertThat(slow.held.get()).isLessThanOrEqualTo(1);
              assertThat(fast.answered.get()).isGreaterThanOrEqualTo(19);
              slow.release.complete(Response.ok("late"));
              for (CompletableFuture<Response> f : calls) {
                assertThat(f.get(10, TimeUnit.SECONDS).ok()).isTrue();
              }
            });
  }

  @Test
  void noInstanceFailsTheRequestAtOnceNamingTheService() {
    discovering
        .withPropertyValues("packetstream.clients.svc.service-id=nobody")
        .run(
            context -> {
              PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
              CompletableFuture<Response> f = svc.submit(1, 0, "x".getBytes(UTF_8));
              assertThat(f).isCompletedExceptionally();
              assertThat(f)
                  .failsWithin(Duration.ZERO)
                  .withThrowableOfType(ExecutionException.class)
                  .havingCause()
                  .isInstanceOf(ConnectionClosedException.class)
                  .withMessageContaining("no instance of service 'nobody'");
              assertThat(svc.status()).isEqualTo(PacketStreamClient.Status.CONNECTING);
            });
  }

  /** With polling an hour apart, only the heartbeat can bring the second instance in. */
  @Test
  void aDiscoveryHeartbeatLooksTheInstancesUpAgain() throws Exception {
    TestPeer a = peer("a");
    TestPeer b = peer("b");
    discovering
        .withPropertyValues(
            "packetstream.clients.svc.service-id=svc",
            "packetstream.clients.svc.refresh-interval=1h",
            "spring.cloud.discovery.client.simple.instances.svc[0].uri=tcp://" + a.address())
        .run(
            context -> {
              PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
              await().atMost(Duration.ofSeconds(20)).until(() -> ready(svc) == 1);
              SimpleDiscoveryProperties simple = context.getBean(SimpleDiscoveryProperties.class);
              InstanceProperties second = new InstanceProperties();
              second.setServiceId("svc");
              second.setUri(java.net.URI.create("tcp://" + b.address()));
              List<InstanceProperties> both = new ArrayList<>(simple.getInstances().get("svc"));
              both.add(second);
              simple.setInstances(Map.of("svc", both));
              context.publishEvent(new HeartbeatEvent(this, 1L));
              await().atMost(Duration.ofSeconds(20)).until(() -> ready(svc) == 2);
              assertThat(svc.call(1, 0, new byte[0]).ok()).isTrue();
              assertThat(svc.call(1, 0, new byte[0]).ok()).isTrue();
              assertThat(a.answered.get()).isEqualTo(1);
              assertThat(b.answered.get()).isEqualTo(1);
            });
  }

  /** A fail-fast balanced client whose only instance is down stops start-up, saying why. */
  @Test
  void aFailFastClientWithoutAnInstanceThatConnectsFailsStartUp() throws Exception {
    TestPeer gone = peer("gone");
    String address = gone.address();
    gone.kill();
    runner
        .withPropertyValues(
            "packetstream.clients.svc.addresses=" + address,
            "packetstream.clients.svc.fail-fast=true",
            "packetstream.clients.svc.connect-timeout=1s")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure()).rootCause().isNotNull();
              Throwable e = context.getStartupFailure();
              StringBuilder messages = new StringBuilder();
              for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
              }
              assertThat(messages.toString())
                  .contains("packetstream client svc")
                  .contains("no instance of addresses [" + address + "] connected within 1s")
                  .contains("the last failure: java.net.ConnectException");
              // the refused connect itself is the cause, for the failure analysis to show
              assertThat(e).hasRootCauseInstanceOf(java.net.ConnectException.class);
            });
  }

  /**
   * An application's own resolver serves service-id without Spring Cloud; when its look-up fails,
   * the client keeps the instance it has and reports the failure.
   */
  @Test
  void aFailedLookUpKeepsTheConnectedInstances() throws Exception {
    TestPeer a = peer("a");
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean();
    ServiceResolver resolver =
        serviceId ->
            () -> {
              if (broken.get()) {
                throw new IllegalStateException("registry unreachable");
              }
              return List.of(new PeerInstance("a-1", "127.0.0.1", a.port()));
            };
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
        .withBean(ServiceResolver.class, () -> resolver)
        .withPropertyValues(
            "packetstream.clients.svc.service-id=anything",
            "packetstream.clients.svc.refresh-interval=50ms")
        .run(
            context -> {
              PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
              await().atMost(Duration.ofSeconds(20)).until(() -> ready(svc) == 1);
              assertThat(svc.instances())
                  .extracting(PacketStreamClient::name)
                  .containsExactly("svc[a-1 (127.0.0.1:" + a.port() + ")]");
              broken.set(true);
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(
                      () ->
                          svc.lastFailure()
                              .filter(e -> e.getMessage().equals("registry unreachable"))
                              .isPresent());
              assertThat(ready(svc)).isEqualTo(1);
              assertThat(svc.call(1, 0, new byte[0]).text()).isEqualTo("a");
            });
  }

  /**
   * An instance that shuts down gracefully ends requests (ERQ) while it still owes answers: from
   * then on nothing more is sent to it, and what it owes still arrives.
   */
  @Test
  void anInstanceShuttingDownGetsNoNewRequestsAndAnswersWhatItHolds() throws Exception {
    TestPeer leaving = peer("leaving");
    TestPeer staying = peer("staying");
    runner
        .withPropertyValues(
            "packetstream.clients.svc.addresses=" + leaving.address() + "," + staying.address())
        .run(
            context -> {
              PacketStreamClient svc = context.getBean(PacketClients.class).get("svc");
              await().atMost(Duration.ofSeconds(20)).until(() -> ready(svc) == 2);
              leaving.hold = true;
              List<CompletableFuture<Response>> owed = new ArrayList<>();
              for (int i = 0; i < 4; i++) {
                owed.add(svc.submit(1, 0, new byte[0]));
              }
              await().atMost(Duration.ofSeconds(20)).until(() -> leaving.held.get() == 2);
              Thread shutdown = new Thread(leaving.server::close, "leaving-shutdown");
              shutdown.start();
              PacketStreamClient member = svc.instances().get(0);
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> member.connection().map(c -> c.peerEndedRequests()).orElse(true));
              for (int i = 0; i < 10; i++) {
                assertThat(svc.call(1, 0, new byte[0]).text()).isEqualTo("staying");
              }
              assertThat(leaving.held.get()).isEqualTo(2);
              leaving.release.complete(Response.ok("owed"));
              for (CompletableFuture<Response> f : owed) {
                assertThat(f.get(20, TimeUnit.SECONDS).ok()).isTrue();
              }
              shutdown.join(20_000);
            });
  }
}
