package io.packetstream.spring.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.spring.observation.PacketStreamObservations;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** Client-error marks are kept only while a listener takes them, and taken only when they count. */
class ClientErrorsTest {

  private static PacketHandlers handlers() {
    return new PacketHandlers(new StaticListableBeanFactory().getBeanProvider(PayloadCodec.class));
  }

  /** A no-op registry installs no listener, so marks would stay forever. */
  @Test
  void aNoopObservationRegistryKeepsNoMarks() {
    PacketHandlers handlers = handlers();
    new PacketStreamObservations(ObservationRegistry.NOOP, null, handlers);
    ClientErrors errors = handlers.clientErrors();

    errors.mark(null, 0, 2);

    assertThat(errors.take(null, Direction.INBOUND, 0, 2, Outcome.FAILED)).isFalse();
  }

  @Test
  void aRealObservationRegistryTakesEachMarkOnce() {
    PacketHandlers handlers = handlers();
    new PacketStreamObservations(TestObservationRegistry.create(), null, handlers);
    ClientErrors errors = handlers.clientErrors();

    errors.mark(null, 0, 2);

    assertThat(errors.take(null, Direction.INBOUND, 0, 3, Outcome.FAILED)).isFalse();
    assertThat(errors.take(null, Direction.INBOUND, 0, 2, Outcome.FAILED)).isTrue();
    assertThat(errors.take(null, Direction.INBOUND, 0, 2, Outcome.FAILED)).isFalse();
  }

  /** Only the peer's requests that ended other than ok can be client errors. */
  @Test
  void anOutboundEndTakesNothing() {
    PacketHandlers handlers = handlers();
    handlers.clientErrors().enable();
    ClientErrors errors = handlers.clientErrors();

    errors.mark(null, 0, 2);

    assertThat(errors.take(null, Direction.OUTBOUND, 0, 2, Outcome.FAILED)).isFalse();
    assertThat(errors.take(null, Direction.INBOUND, 0, 2, Outcome.FAILED)).isTrue();
  }

  /**
   * A bad request an exception handler answered ok is no client error, and its mark goes with it: a
   * later request with the same tag that fails is the handler's failure, not the peer's.
   */
  @Test
  void anOkEndForgetsTheMarkWithoutCountingIt() {
    PacketHandlers handlers = handlers();
    handlers.clientErrors().enable();
    ClientErrors errors = handlers.clientErrors();

    errors.mark(null, 0, 2);

    assertThat(errors.take(null, Direction.INBOUND, 0, 2, Outcome.OK)).isFalse();
    assertThat(errors.take(null, Direction.INBOUND, 0, 2, Outcome.FAILED)).isFalse();
  }
}
