package io.packetstream.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.client.PacketExchangeProxyFactory;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.spring.handler.RequestContext;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's watcher book-keeping, without Spring and so without connection events: a connection
 * that has closed is never registered, and one that a change finds closed is forgotten.
 */
class KeyValueServiceTest {

  private final KeyValueService service =
      new KeyValueService(
          new KeyValueStore(),
          new PacketExchangeProxyFactory(new JacksonPayloadCodec(JsonMapper.builder().build())));
  private Pipe toPeer;
  private Pipe fromPeer;
  private PacketConnection connection;
  private PacketConnection peer;

  @BeforeEach
  void connect() throws Exception {
    toPeer = Pipe.open();
    fromPeer = Pipe.open();
    connection = PacketConnection.builder().name("service").open(fromPeer.source(), toPeer.sink());
    peer =
        PacketConnection.builder()
            .name("peer")
            .handler(rq -> Response.empty())
            .open(toPeer.source(), fromPeer.sink());
  }

  @AfterEach
  void disconnect() throws Exception {
    connection.abort();
    peer.abort();
    for (Pipe pipe : new Pipe[] {toPeer, fromPeer}) {
      pipe.sink().close();
      pipe.source().close();
    }
  }

  private String watch(String prefix) {
    return service.watch(
        prefix,
        connection,
        new RequestContext(connection.name(), "", 0, 2, KeyValueService.WATCH, 0));
  }

  @Test
  void keepsEveryPrefixOfAConnection() {
    assertThat(watch("a/")).isEqualTo("watching a/");
    assertThat(watch("b/")).isEqualTo("watching b/");
    assertThat(service.watchedPrefixes(connection)).containsExactlyInAnyOrder("a/", "b/");
  }

  @Test
  void refusesToWatchForAClosedConnection() {
    connection.abort();
    assertThatThrownBy(() -> watch("a/"))
        .isInstanceOf(RequestFailedException.class)
        .hasMessageContaining("not watching");
    assertThat(service.watchedPrefixes(connection)).isEmpty();
  }

  @Test
  void forgetsAWatcherThatAChangeFindsClosed() throws Exception {
    watch("a/");
    connection.abort();
    assertThat(
            service
                .put(new KeyValueService.Put("a/1", "x"), KeyValueService.SYNC_WATCHERS)
                .get(10, TimeUnit.SECONDS))
        .isZero();
    assertThat(service.watchedPrefixes(connection)).isEmpty();
  }
}
