package io.packetstream.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Running requests are found by their whole identity, in the table or, past its room, in the
 * overflow map, and a closed connection leaves none behind.
 */
class RunningTest {

  private final List<PacketConnection> connections = new ArrayList<>();
  private final ObservationRegistry registry = ObservationRegistry.create();

  private PacketConnection connection() throws IOException {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    PacketConnection c = PacketConnection.builder().name("c").open(in.source(), out.sink());
    connections.add(c);
    return c;
  }

  @AfterEach
  void close() {
    connections.forEach(PacketConnection::abort);
  }

  private Observation observation() {
    return Observation.createNotStarted("x", registry);
  }

  @Test
  void aRequestIsFoundByItsWholeIdentityOnlyUntilRemoved() throws Exception {
    Running running = new Running();
    PacketConnection a = connection();
    PacketConnection b = connection();
    Observation o = observation();
    running.put(a, Direction.INBOUND, 1, 7, o);
    assertThat(running.get(a, Direction.INBOUND, 1, 7)).isSameAs(o);
    assertThat(running.get(b, Direction.INBOUND, 1, 7)).isNull();
    assertThat(running.get(a, Direction.OUTBOUND, 1, 7)).isNull();
    assertThat(running.get(a, Direction.INBOUND, 0, 7)).isNull();
    assertThat(running.get(a, Direction.INBOUND, 1, 8)).isNull();
    assertThat(running.remove(b, Direction.INBOUND, 1, 7)).isNull();
    assertThat(running.remove(a, Direction.INBOUND, 1, 7)).isSameAs(o);
    assertThat(running.get(a, Direction.INBOUND, 1, 7)).isNull();
    assertThat(running.remove(a, Direction.INBOUND, 1, 7)).isNull();
  }

  @Test
  void moreRequestsThanTheTableHoldsAreAllKept() throws Exception {
    Running running = new Running();
    PacketConnection c = connection();
    int n = Running.SIZE * 2;
    Observation[] os = new Observation[n];
    for (int tag = 0; tag < n; tag++) {
      os[tag] = observation();
      running.put(c, Direction.INBOUND, 0, tag, os[tag]);
    }
    for (int tag = 0; tag < n; tag++) {
      assertThat(running.get(c, Direction.INBOUND, 0, tag)).isSameAs(os[tag]);
    }
    for (int tag = n - 1; tag >= 0; tag--) {
      assertThat(running.remove(c, Direction.INBOUND, 0, tag)).isSameAs(os[tag]);
    }
    for (int tag = 0; tag < n; tag++) {
      assertThat(running.get(c, Direction.INBOUND, 0, tag)).isNull();
    }
  }
}
