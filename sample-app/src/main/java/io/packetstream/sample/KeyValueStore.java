package io.packetstream.sample;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The sample's data: an in-memory map from text keys to byte values that tells its watchers about
 * every change.
 */
public class KeyValueStore {

  /** One change to the store: {@code value} is empty when the key was deleted. */
  public record Change(String key, Optional<byte[]> value) {}

  private final ConcurrentSkipListMap<String, byte[]> entries = new ConcurrentSkipListMap<>();
  private final List<Consumer<Change>> watchers = new CopyOnWriteArrayList<>();

  /** Stores {@code value} under {@code key}; true if it replaced a value. */
  public boolean put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    boolean replaced = entries.put(requireKey(key), value.clone()) != null;
    changed(new Change(key, Optional.of(value.clone())));
    return replaced;
  }

  /** The value under {@code key}, if there is one. */
  public Optional<byte[]> get(String key) {
    return Optional.ofNullable(entries.get(requireKey(key))).map(byte[]::clone);
  }

  /** Removes {@code key}; true if it was there. */
  public boolean delete(String key) {
    boolean removed = entries.remove(requireKey(key)) != null;
    if (removed) {
      changed(new Change(key, Optional.empty()));
    }
    return removed;
  }

  /** The keys that start with {@code prefix}, in order. */
  public List<String> keys(String prefix) {
    Map<String, byte[]> range = prefix.isEmpty()
        ? entries
        : entries.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
    return List.copyOf(range.keySet());
  }

  /** Calls {@code watcher} with every change from now on, until {@link #unwatch}. */
  public void watch(Consumer<Change> watcher) {
    watchers.add(Objects.requireNonNull(watcher, "watcher"));
  }

  /** Stops calling {@code watcher}. */
  public void unwatch(Consumer<Change> watcher) {
    watchers.remove(watcher);
  }

  private void changed(Change change) {
    for (Consumer<Change> w : watchers) {
      w.accept(change);
    }
  }

  private static String requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("the key is empty");
    }
    return key;
  }
}
