package io.packetstream.sample;

import static io.packetstream.sample.KeyValueService.CHANGED;
import static io.packetstream.sample.KeyValueService.DELETE;
import static io.packetstream.sample.KeyValueService.DELETED;
import static io.packetstream.sample.KeyValueService.GET;
import static io.packetstream.sample.KeyValueService.PUT;
import static io.packetstream.sample.KeyValueService.SYNC_WATCHERS;
import static io.packetstream.sample.KeyValueService.WATCH;

import io.packetstream.sample.KeyValueService.Change;
import io.packetstream.sample.KeyValueService.Put;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.test.LocalPacketStreamServerPort;
import io.packetstream.test.PacketStreamTester;
import io.packetstream.test.autoconfigure.PacketStreamTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The key-value service told as a story between two peers, Alice who watches the fruit and Bob who
 * changes it, over the packetstream slice: the service's handlers and store on a free port, without
 * the web layer or Actuator.
 */
@PacketStreamTest
class KeyValueStoryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Autowired PacketStreamTester alice;

  @Autowired PayloadCodec codec;

  @LocalPacketStreamServerPort int port;

  @Test
  void aWatcherIsToldOfEveryChangeUnderItsPrefixAndReadsItBack() throws Exception {
    // Alice watches the fruit, and takes every change she is told of
    alice.onRequest(CHANGED).respondOk();
    alice.request(WATCH).payload("fruit/").exchange().assertOk().assertPayload("watching fruit/");

    try (PacketStreamTester bob = PacketStreamTester.connect("127.0.0.1", port, codec)) {
      // Bob puts an apple, and asks to be answered once the watchers have the change
      bob.request(PUT)
          .payload(new Put("fruit/apple", "red"))
          .flags(SYNC_WATCHERS)
          .exchange()
          .assertOk()
          .assertFlags(0); // flags 0: nothing was replaced

      // so Alice has been told already
      alice
          .awaitRequest(CHANGED, WAIT)
          .assertFlags(0)
          .assertPayload(new Change("fruit/apple", "red"));

      // a leek is no fruit: Alice hears nothing of it
      bob.request(PUT)
          .payload(new Put("veg/leek", "white"))
          .flags(SYNC_WATCHERS)
          .exchange()
          .assertOk();
      alice.assertNoRequest(CHANGED);

      // Alice reads the apple back
      alice.request(GET).payload("fruit/apple").exchange().assertOk().assertPayload("red");

      // Bob eats it: Alice is told of a deletion, flagged, with no value
      bob.request(DELETE).payload("fruit/apple").exchange().assertOk().assertFlags(1);
      alice
          .awaitRequest(CHANGED, WAIT)
          .assertFlags(DELETED)
          .assertPayload(new Change("fruit/apple", null));

      // and finds it gone
      alice
          .request(GET)
          .payload("fruit/apple")
          .exchange()
          .assertNotOk()
          .assertPayload("no such key: fruit/apple");
    }
  }

  @Test
  void aPutWithoutAValueIsRefusedAndTellsNoWatcher() {
    alice.onRequest(CHANGED).respondOk();
    alice.request(WATCH).payload("k").exchange().assertOk();

    alice
        .request(PUT)
        .payload(new Put("k", null))
        .flags(SYNC_WATCHERS)
        .exchange()
        .assertNotOk()
        .assertPayload("invalid Put: value: must not be null");
    alice.request(PUT).payload("not json").exchange().assertNotOk();

    alice.assertNoRequest(CHANGED);
    alice.request(GET).payload("k").exchange().assertNotOk().assertPayload("no such key: k");
  }
}
