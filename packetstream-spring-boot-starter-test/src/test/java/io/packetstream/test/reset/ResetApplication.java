package io.packetstream.test.reset;

import io.packetstream.spring.handler.PacketHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** An application with a handler that answers only when its test lets it. */
@SpringBootApplication
public class ResetApplication {

  static final int HELD = 1;

  /** Counted down when a held request has reached its handler. */
  static final CountDownLatch STARTED = new CountDownLatch(1);

  /** The held requests' answer. */
  static final CompletableFuture<String> RELEASE = new CompletableFuture<>();

  static final int HELD_IN_MEMORY = 2;

  /** Counted down when a request held for the in-memory test has reached its handler. */
  static final CountDownLatch STARTED_IN_MEMORY = new CountDownLatch(1);

  /** The answer of the requests held for the in-memory test. */
  static final CompletableFuture<String> RELEASE_IN_MEMORY = new CompletableFuture<>();

  @Component
  static class Held {
    @PacketHandler(HELD)
    CompletableFuture<String> held() {
      STARTED.countDown();
      return RELEASE;
    }

    /** Blocks its thread, as most handlers would. */
    @PacketHandler(HELD_IN_MEMORY)
    String heldInMemory() throws Exception {
      STARTED_IN_MEMORY.countDown();
      return RELEASE_IN_MEMORY.get();
    }
  }
}
