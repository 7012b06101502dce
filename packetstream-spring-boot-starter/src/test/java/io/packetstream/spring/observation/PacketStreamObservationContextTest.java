package io.packetstream.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.context.ConnectionRole;
import java.io.IOException;
import java.nio.channels.Pipe;
import org.junit.jupiter.api.Test;

/**
 * The context keeps its key values whole instead of in Micrometer's maps; what it answers must be
 * what a plain {@link Observation.Context} would: merges, replacements, removals, and keys that
 * filters add, through a real registry and meter handler.
 */
class PacketStreamObservationContextTest {

  private static PacketStreamObservationContext context(PacketConnection c) {
    return new PacketStreamObservationContext(
        ConnectionRole.SERVER,
        "s",
        c,
        Direction.INBOUND,
        0,
        7,
        3,
        true,
        true,
        new KeyValues[KeyValuesCache.SLOT_SIZE]);
  }

  private static PacketConnection connection() throws IOException {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    return PacketConnection.builder().name("c").open(in.source(), out.sink());
  }

  @Test
  void keyValuesBehaveAsAPlainContextsDo() throws Exception {
    PacketConnection c = connection();
    try {
      PacketStreamObservationContext ours = context(c);
      Observation.Context plain = new Observation.Context();
      for (Observation.Context ctx : new Observation.Context[] {ours, plain}) {
        ctx.addLowCardinalityKeyValues(KeyValues.of("b", "1", "a", "1"));
        ctx.addLowCardinalityKeyValues(KeyValues.of("a", "2", "c", "2"));
        ctx.addLowCardinalityKeyValue(KeyValue.of("d", "3"));
        ctx.removeLowCardinalityKeyValue("b");
        ctx.addHighCardinalityKeyValues(KeyValues.of("x", "1"));
        ctx.addHighCardinalityKeyValues(KeyValues.of("x", "2", "y", "2"));
        ctx.removeHighCardinalityKeyValues("y", "absent");
      }
      assertThat(ours.getLowCardinalityKeyValues()).isEqualTo(plain.getLowCardinalityKeyValues());
      assertThat(ours.getLowCardinalityKeyValues())
          .isEqualTo(KeyValues.of("a", "2", "c", "2", "d", "3"));
      assertThat(ours.getHighCardinalityKeyValues())
          .isEqualTo(plain.getHighCardinalityKeyValues())
          .isEqualTo(KeyValues.of("x", "2"));
      assertThat(ours.getLowCardinalityKeyValue("c").getValue()).isEqualTo("2");
      assertThat(ours.getLowCardinalityKeyValue("b")).isNull();
      assertThat(ours.getAllKeyValues()).isEqualTo(plain.getAllKeyValues());
    } finally {
      c.abort();
    }
  }

  @Test
  void aFiltersKeysReachTheMetersWithTheConventions() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry registry = ObservationRegistry.create();
    registry
        .observationConfig()
        .observationHandler(new PacketStreamMeterObservationHandler(meters, true, true))
        .observationFilter(ctx -> ctx.addLowCardinalityKeyValue(KeyValue.of("region", "eu")));
    PacketConnection c = connection();
    try {
      for (int i = 0; i < 2; i++) {
        PacketStreamObservationContext context = context(c);
        Observation o =
            PacketStreamObservationDocumentation.SERVER_REQUESTS
                .observation(
                    null, DefaultPacketStreamObservationConvention.SERVER, () -> context, registry)
                .start();
        context.outcome(RequestOutcome.SUCCESS);
        o.stop();
        assertThat(context.getLowCardinalityKeyValue("region").getValue()).isEqualTo("eu");
        assertThat(context.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("SUCCESS");
      }
    } finally {
      c.abort();
    }
    assertThat(
            meters
                .get("packetstream.server.requests")
                .tags("region", "eu", "outcome", "SUCCESS", "rq.type", "3", "error", "none")
                .timer()
                .count())
        .isEqualTo(2);
  }
}
