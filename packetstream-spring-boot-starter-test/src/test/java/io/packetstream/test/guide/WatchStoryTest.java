package io.packetstream.test.guide;

import static io.packetstream.test.guide.Fruit.CHANGED;
import static io.packetstream.test.guide.Fruit.PUT;
import static io.packetstream.test.guide.Fruit.SYNC_WATCHERS;
import static io.packetstream.test.guide.Fruit.WATCH;

import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.test.LocalPacketStreamServerPort;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import io.packetstream.test.guide.Fruit.Change;
import io.packetstream.test.guide.Fruit.Put;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

// The example of docs/starter.md, "Testing your handlers", line for line between the guide marks
// (TestingGuideExampleTest compares them): it compiles and runs here.
// spotless:off
// guide:start
@PacketStreamTest   // CHANGED, WATCH, PUT, Put, Change...: the service's types, statically imported
class WatchStoryTest {

  @Autowired PacketStreamTester alice;   // connects on first use, reset after each test
  @Autowired PayloadCodec codec;
  @LocalPacketStreamServerPort int port;

  @Test
  void aWatcherIsToldOfAChange() throws IOException {
    alice.onRequest(CHANGED).respondOk();
    alice.request(WATCH).payload("fruit/").exchange().assertOk().assertPayload("watching fruit/");

    try (PacketStreamTester bob = PacketStreamTester.connect("127.0.0.1", port, codec)) {
      bob.request(PUT).payload(new Put("fruit/apple", "red")).flags(SYNC_WATCHERS).exchange()
          .assertOk().assertFlags(0);
      alice.awaitRequest(CHANGED, Duration.ofSeconds(10))
          .assertPayload(new Change("fruit/apple", "red"));
    }
  }
}
// guide:end
// spotless:on
