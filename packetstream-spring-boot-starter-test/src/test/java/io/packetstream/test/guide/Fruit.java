package io.packetstream.test.guide;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PayloadCodec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The service the testing guide's example talks to, a key-value store that tells watchers of
 * changes, as the sample's does: PUT a {@link Put} (answered with flags 1 if it replaced a value),
 * WATCH a key prefix; each change under a watched prefix is sent to the watcher as a CHANGED
 * request over its own connection, before the PUT is answered when it asks for SYNC_WATCHERS.
 */
@Component
public class Fruit {

  public static final int PUT = 1;
  public static final int WATCH = 5;
  public static final int CHANGED = 100;

  /** PUT flag: answer once every watcher has taken the change. */
  public static final long SYNC_WATCHERS = 1;

  /** A value to store under a key. */
  public record Put(String key, String value) {}

  /** What a watcher is told. */
  public record Change(String key, String value) {}

  private final PayloadCodec codec;
  private final Map<String, String> values = new ConcurrentHashMap<>();
  private final Map<PacketConnection, Set<String>> watchers = new ConcurrentHashMap<>();

  Fruit(PayloadCodec codec) {
    this.codec = codec;
  }

  @PacketHandler(WATCH)
  String watch(String prefix, PacketConnection peer) {
    watchers.computeIfAbsent(peer, p -> ConcurrentHashMap.newKeySet()).add(prefix);
    peer.termination().whenComplete((v, e) -> watchers.remove(peer));
    return "watching " + prefix;
  }

  @PacketHandler(PUT)
  CompletableFuture<Long> put(Put put, @PacketFlags long flags) {
    long replaced = values.put(put.key(), put.value()) == null ? 0 : 1;
    byte[] change = codec.encode(new Change(put.key(), put.value()));
    List<CompletableFuture<?>> told =
        watchers.entrySet().stream()
            .filter(w -> w.getValue().stream().anyMatch(put.key()::startsWith))
            .<CompletableFuture<?>>map(w -> w.getKey().submit(CHANGED, 0, change))
            .toList();
    if ((flags & SYNC_WATCHERS) == 0) {
      return CompletableFuture.completedFuture(replaced);
    }
    return CompletableFuture.allOf(told.toArray(CompletableFuture[]::new)).thenApply(v -> replaced);
  }
}
