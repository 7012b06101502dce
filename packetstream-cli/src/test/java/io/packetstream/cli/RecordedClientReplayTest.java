package io.packetstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.transport.PacketServer;
import io.packetstream.transport.RawPeer;
import io.packetstream.wire.Packet;
import io.packetstream.wire.SharedWire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Plays the requests that the original's clients sent in each recording to the Java conformance
 * service, and checks that every answer is the one the original server gave: same tag, same flags
 * word, same payload, and in the recorded order where timing decides it.
 */
class RecordedClientReplayTest {

  private static PacketServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        PacketServer.builder(PacketConnection.builder().handler(new ConformanceHandler()))
            .bindLoopback(0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "handlers_sequential",
        "out_of_order",
        "callback",
        "pipelined_mixed",
        "tags_past_128",
        "flags_and_sizes",
        "release0630_basic",
        "cross_client0630_server0412",
        "cross_client0412_server0630"
      })
  void answersAsTheOriginalServerDid(String scenario) throws Exception {
    JsonNode json = SharedWire.json(scenario + ".json");
    List<Packet> sent = packets(json.get("client_to_server"));
    Map<Long, Packet> expected = new LinkedHashMap<>();
    for (Packet p : packets(json.get("server_to_client"))) {
      if (!p.request()) {
        expected.put(p.tag(), p);
      }
    }
    List<Packet> answers = new ArrayList<>();
    try (RawPeer client = new RawPeer(server.port())) {
      List<Packet> requests = sent.stream().filter(p -> p.request() && !p.isControl()).toList();
      for (Packet rq : requests) {
        client.send(rq);
      }
      while (answers.size() < requests.size()) {
        Packet in = client.receive();
        if (in.request()) {
          // the callback: answer the server's echo request as the recorded client did
          client.send(Packet.response(in.channel(), in.tag(), true, in.flags(), in.payload()));
        } else {
          answers.add(in);
        }
      }
      for (Packet control : sent.stream().filter(Packet::isControl).toList()) {
        client.send(control);
      }
      Packet last = client.receive();
      assertThat(last.isEof() || last.isErq()).as("the server ends with EOF").isTrue();
      if (last.isErq()) {
        assertThat(client.receive().isEof()).isTrue();
      }
      assertThat(client.awaitEnd()).as("the server ends the stream").isTrue();
    }
    assertThat(answers).hasSameSizeAs(expected.values());
    for (Packet answer : answers) {
      assertThat(answer).as("answer to tag %d", answer.tag()).isEqualTo(expected.get(answer.tag()));
    }
    if (scenario.equals("out_of_order")) {
      assertThat(answers).extracting(Packet::tag).containsExactlyElementsOf(expected.keySet());
    }
  }

  private static List<Packet> packets(JsonNode direction) {
    List<Packet> list = new ArrayList<>();
    for (JsonNode p : direction.get("packets")) {
      list.add(SharedWire.packet(p));
    }
    return list;
  }
}
