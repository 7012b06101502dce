package io.packetstream.sample;

import io.packetstream.spring.client.PacketExchange;
import io.packetstream.spring.handler.PacketFlags;
import java.util.List;

/**
 * The service as its clients see it: one method per request type of {@link KeyValueService}. A
 * not-ok answer (a missing key, a malformed put) raises a {@link
 * io.packetstream.spring.client.PacketRequestFailedException}.
 */
public interface KeyValueApi {

  /**
   * Stores a value; 1 if it replaced one. Flags {@link KeyValueService#SYNC_WATCHERS}: wait for the
   * watchers.
   */
  @PacketExchange(type = KeyValueService.PUT)
  long put(KeyValueService.Put entry, @PacketFlags long flags);

  /** The value under {@code key}. */
  @PacketExchange(type = KeyValueService.GET)
  String get(String key);

  /** Removes {@code key}; 1 if it was there. */
  @PacketExchange(type = KeyValueService.DELETE)
  long delete(String key);

  /** The keys under {@code prefix}, in order. */
  @PacketExchange(type = KeyValueService.LIST)
  List<String> list(String prefix);

  /** Asks for a change request for every change under {@code prefix}, from now on. */
  @PacketExchange(type = KeyValueService.WATCH)
  String watch(String prefix);
}
