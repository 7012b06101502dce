package io.packetstream.sample;

import io.packetstream.spring.client.PacketExchange;
import io.packetstream.spring.handler.PacketFlags;
import java.util.concurrent.CompletableFuture;

/**
 * A watching peer, as the service calls it back over the peer's own connection: one change request
 * per change under a prefix it watches. The future ends when the peer has taken the change (or
 * failed to).
 */
interface Watcher {

  /** Tells the peer about {@code change}; flags {@link KeyValueService#DELETED} for a deletion. */
  @PacketExchange(type = KeyValueService.CHANGED)
  CompletableFuture<Void> changed(KeyValueService.Change change, @PacketFlags long flags);
}
