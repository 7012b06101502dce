package io.packetstream.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValues;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.context.ConnectionRole;
import java.nio.channels.Pipe;
import org.junit.jupiter.api.Test;

/** The contextual name says the way and the type, whichever type, asked once or again. */
class DefaultPacketStreamObservationConventionTest {

  @Test
  void contextualNamesSayTheWayAndTheTypeEveryTimeAsked() throws Exception {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    PacketConnection c = PacketConnection.builder().name("c").open(in.source(), out.sink());
    try {
      DefaultPacketStreamObservationConvention convention =
          DefaultPacketStreamObservationConvention.SERVER;
      Object[][] cases = {
        {Direction.INBOUND, 3L, true, "packetstream serve 3"},
        {Direction.INBOUND, 63L, true, "packetstream serve 63"},
        {Direction.INBOUND, 64L, true, "packetstream serve 64"},
        {Direction.INBOUND, 1000L, true, "packetstream serve 1000"},
        {Direction.INBOUND, 5L, false, "packetstream serve unknown"},
        {Direction.INBOUND, 64L, false, "packetstream serve unknown"},
        {Direction.OUTBOUND, 3L, true, "packetstream call 3"},
        {Direction.OUTBOUND, 64L, true, "packetstream call 64"},
      };
      for (int round = 0; round < 2; round++) {
        for (Object[] k : cases) {
          PacketStreamObservationContext context =
              new PacketStreamObservationContext(
                  ConnectionRole.SERVER,
                  "s",
                  c,
                  (Direction) k[0],
                  0,
                  1,
                  (Long) k[1],
                  true,
                  (Boolean) k[2],
                  new KeyValues[KeyValuesCache.SLOT_SIZE]);
          assertThat(convention.getContextualName(context)).isEqualTo(k[3]);
        }
      }
    } finally {
      c.abort();
    }
  }
}
