package io.packetstream.connection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The time a reader reading on alone past the spent budget keeps others waiting is counted frame by
 * frame: a peer sending large frames back to back, each quickly, is not taken for one trickling a
 * single frame.
 */
class InboundAccountTest {

  @Test
  void eachFrameReadOnAloneIsTimedFromItsOwnStart() {
    InboundBudget budget = new InboundBudget(100);
    InboundAccount busy = new InboundAccount(budget, 10);
    InboundAccount waiting = new InboundAccount(budget, 10);

    busy.add(200); // a partial frame past the budget
    assertThat(busy.readerMustPause(200)).as("the one that reads on").isFalse();
    waiting.add(50);
    assertThat(waiting.readerMustPause(40)).isTrue();
    waiting.awaitRoom(() -> {});

    assertThat(busy.overdrawnWhileOthersWait(0)).isZero();
    assertThat(busy.overdrawnWhileOthersWait(500)).isEqualTo(500);

    // the frame ends; the next one begins past the budget again before the other takes its turn
    busy.readerEmptied();
    waiting.awaitRoom(() -> {});
    assertThat(busy.readerMustPause(200)).isFalse();

    assertThat(busy.overdrawnWhileOthersWait(1000)).as("the next frame's own time").isZero();
    assertThat(busy.overdrawnWhileOthersWait(1300)).isEqualTo(300);
  }
}
