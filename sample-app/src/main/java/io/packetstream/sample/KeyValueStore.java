package io.packetstream.sample;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The sample's data: an in-memory map from text keys to byte values. The service keeps the
 * watchers, per connection.
 */
public class KeyValueStore {

  private final ConcurrentSkipListMap<String, byte[]> entries = new ConcurrentSkipListMap<>();

  /** Stores {@code value} under {@code key}; true if it replaced a value. */
  public boolean put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    return entries.put(requireKey(key), value.clone()) != null;
  }

  /** The value under {@code key}, if there is one. */
  public Optional<byte[]> get(String key) {
    return Optional.ofNullable(entries.get(requireKey(key))).map(byte[]::clone);
  }

  /** Removes {@code key}; true if it was there. */
  public boolean delete(String key) {
    return entries.remove(requireKey(key)) != null;
  }

  /** The keys that start with {@code prefix}, in order. */
  public List<String> keys(String prefix) {
    Map<String, byte[]> range =
        prefix.isEmpty()
            ? entries
            : entries.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
    return List.copyOf(range.keySet());
  }

  private static String requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("the key is empty");
    }
    return key;
  }
}
