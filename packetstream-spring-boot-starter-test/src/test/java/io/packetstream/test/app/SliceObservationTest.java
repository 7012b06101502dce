package io.packetstream.test.app;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.observation.tck.TestObservationRegistry;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The slice observes requests as the application does, into the test's registry. */
@PacketStreamTest
@Import(SliceObservationTest.Registry.class)
class SliceObservationTest {

  @TestConfiguration(proxyBeanMethods = false)
  static class Registry {

    @Bean
    TestObservationRegistry observationRegistry() {
      return TestObservationRegistry.create();
    }
  }

  @Autowired TestObservationRegistry registry;

  @Autowired PacketStreamTester tester;

  @Test
  void observesEveryRequestItServes() {
    tester.request(Orders.ECHO).payload("seen").exchange().assertOk();
    // the observation stops once the answer is written, perhaps after the tester has read it
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(registry)
                    .hasObservationWithNameEqualTo("packetstream.server.requests")
                    .that()
                    .hasLowCardinalityKeyValue("rq.type", "2")
                    .hasLowCardinalityKeyValue("outcome", "SUCCESS"));
  }
}
