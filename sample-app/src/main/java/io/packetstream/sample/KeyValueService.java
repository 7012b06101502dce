package io.packetstream.sample;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.client.PacketExchangeProxyFactory;
import io.packetstream.spring.context.PacketConnectionEvent;
import io.packetstream.spring.handler.PacketExceptionHandler;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.RequestContext;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The sample's request types, one {@link PacketHandler} method each.
 *
 * <table>
 *   <caption>request types</caption>
 *   <tr><th>type</th><th>request</th><th>answer</th></tr>
 *   <tr><td>1 put</td><td>JSON {@code {"key":..,"value":..}}; flags bit 0: wait until every
 *       watcher has taken the change</td><td>ok, flags 1 if it replaced a value, else 0</td></tr>
 *   <tr><td>2 get</td><td>the key, as text</td><td>ok with the value's bytes; not ok when
 *       missing</td></tr>
 *   <tr><td>3 delete</td><td>the key</td><td>ok, flags 1 if there was a value</td></tr>
 *   <tr><td>4 list</td><td>a key prefix (empty: all)</td><td>ok, a JSON array of keys</td></tr>
 *   <tr><td>5 watch</td><td>a key prefix</td><td>ok, "watching PREFIX"; from then on the service
 *       sends this peer a request of type 100 for every change under the prefix. A peer may watch
 *       several prefixes; it gets each change once, however many of them match</td></tr>
 * </table>
 *
 * <p>A change request (type 100, sent by the service to each watching peer over that peer's own
 * connection) carries JSON {@code {"key":..,"value":..}}; when the key was deleted, flags 1 and
 * {@code "value":null}. A watcher is forgotten when its connection ends, or when a change finds it
 * closed. The service calls a watcher back through a {@link Watcher} proxy over the watcher's
 * connection.
 */
@Component
class KeyValueService {

  static final int PUT = 1;
  static final int GET = 2;
  static final int DELETE = 3;
  static final int LIST = 4;
  static final int WATCH = 5;
  static final int CHANGED = 100;

  /** Flags bit 0 of a put: answer only once every watcher has taken the change. */
  static final long SYNC_WATCHERS = 1;

  /** Flags of a change request that reports a deletion. */
  static final long DELETED = 1;

  private static final Logger log = LoggerFactory.getLogger(KeyValueService.class);

  private final KeyValueStore store;
  private final PacketExchangeProxyFactory exchanges;

  /** Each watching connection: its callback and the prefixes it watches. */
  private final Map<PacketConnection, Watch> watchers = new ConcurrentHashMap<>();

  KeyValueService(KeyValueStore store, PacketExchangeProxyFactory exchanges) {
    this.store = store;
    this.exchanges = exchanges;
  }

  /** A watching peer: its callback, and the prefixes it watches. */
  private record Watch(Watcher watcher, Set<String> prefixes) {}

  /** A put request's payload: checked by Bean Validation before the handler runs. */
  record Put(@NotBlank String key, @NotNull String value) {}

  /** A get or a delete of a key that is not there. */
  static final class NoSuchKeyException extends RuntimeException {
    NoSuchKeyException(String key) {
      super(key, null, false, false);
    }
  }

  /** What a watcher is told. */
  record Change(String key, String value) {}

  @PacketHandler(PUT)
  CompletableFuture<Long> put(@Valid Put put, @PacketFlags long flags) {
    boolean replaced =
        store.put(put.key(), put.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    CompletableFuture<Void> told = notifyWatchers(new Change(put.key(), put.value()), 0);
    long answer = replaced ? 1 : 0;
    return (flags & SYNC_WATCHERS) != 0
        ? told.thenApply(v -> answer)
        : CompletableFuture.completedFuture(answer);
  }

  @PacketHandler(GET)
  byte[] get(String key) {
    return store.get(key).orElseThrow(() -> new NoSuchKeyException(key));
  }

  /** A missing key is the peer's mistake, answered not-ok with its name (not a server error). */
  @PacketExceptionHandler
  String noSuchKey(NoSuchKeyException e) {
    return "no such key: " + e.getMessage();
  }

  @PacketHandler(DELETE)
  long delete(String key) {
    boolean deleted = store.delete(key);
    if (deleted) {
      notifyWatchers(new Change(key, null), DELETED);
    }
    return deleted ? 1 : 0;
  }

  @PacketHandler(LIST)
  List<String> list(String prefix) {
    return store.keys(prefix);
  }

  @PacketHandler(WATCH)
  String watch(String prefix, PacketConnection peer, RequestContext context) {
    if (peer.state() != ConnectionState.OPEN) {
      throw new RequestFailedException(
          Response.failure(
              context.connectionName()
                  + " is "
                  + peer.state().name().toLowerCase()
                  + ": not watching"));
    }
    watchers
        .computeIfAbsent(
            peer,
            p -> new Watch(exchanges.createClient(Watcher.class, p), ConcurrentHashMap.newKeySet()))
        .prefixes()
        .add(prefix);
    if (peer.state().isTerminal()) {
      // it ended meanwhile, perhaps before connectionEnded could forget it
      watchers.remove(peer);
    }
    log.info("{} watches keys under '{}'", context.connectionName(), prefix);
    return "watching " + prefix;
  }

  /** Forgets the watchers whose connection ended. */
  @EventListener({PacketConnectionEvent.Closed.class, PacketConnectionEvent.Failed.class})
  void connectionEnded(PacketConnectionEvent event) {
    watchers.remove(event.connection());
  }

  /** The prefixes that {@code peer} watches, for tests. */
  Set<String> watchedPrefixes(PacketConnection peer) {
    Watch watch = watchers.get(peer);
    return watch == null ? Set.of() : Set.copyOf(watch.prefixes());
  }

  /**
   * Sends the change, once, to every peer watching a prefix of its key; completes when all have
   * answered. A peer whose connection has closed is forgotten.
   */
  private CompletableFuture<Void> notifyWatchers(Change change, long flags) {
    List<CompletableFuture<?>> sent = new ArrayList<>();
    watchers.forEach(
        (peer, watch) -> {
          if (watch.prefixes().stream().anyMatch(change.key()::startsWith)) {
            sent.add(
                watch
                    .watcher()
                    .changed(change, flags)
                    .exceptionally(
                        e -> {
                          if (e instanceof ConnectionClosedException) {
                            watchers.remove(peer, watch);
                          }
                          log.debug("watcher {} missed a change: {}", peer.name(), e.toString());
                          return null;
                        }));
          }
        });
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }
}
