package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/**
 * A loop's kept request ends belong to one batch at a time, reach the listener in the order the
 * requests were answered, and are told once.
 */
class DeferredFinishesTest {

  private static PacketConnection connection() throws Exception {
    return PacketConnection.builder()
        .open(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream());
  }

  @Test
  void aBatchBegunInsideAnotherDoesNotTakeItsEnds() {
    DeferredFinishes finishes = new DeferredFinishes();

    assertThat(finishes.take()).isTrue();
    assertThat(finishes.take()).as("held by the outer batch").isFalse();
    finishes.release();
    assertThat(finishes.take()).isTrue();
  }

  @Test
  void tellsEveryEndInOrderOnceWithItsFigures() throws Exception {
    try (PacketConnection a = connection()) {
      DeferredFinishes finishes = new DeferredFinishes();
      RecordingListener listener = new RecordingListener();
      finishes.add(0, 5, 1, Outcome.OK, 100);
      finishes.add(2, 6, 9, Outcome.FAILED, 200);
      assertThat(finishes.isEmpty()).isFalse();

      finishes.tell(listener, a);
      finishes.tell(listener, a);

      assertThat(listener.finished)
          .containsExactly(
              new RecordingListener.Finished(Direction.INBOUND, 0, 5, 1, Outcome.OK),
              new RecordingListener.Finished(Direction.INBOUND, 2, 6, 9, Outcome.FAILED));
      assertThat(finishes.isEmpty()).isTrue();
    }
  }

  @Test
  void isFullAtItsCapacity() {
    DeferredFinishes finishes = new DeferredFinishes();
    for (int i = 0; i < DeferredFinishes.CAPACITY - 1; i++) {
      finishes.add(0, i, 0, Outcome.OK, 1);
    }
    assertThat(finishes.isFull()).isFalse();
    finishes.add(0, DeferredFinishes.CAPACITY, 0, Outcome.OK, 1);
    assertThat(finishes.isFull()).isTrue();
  }
}
