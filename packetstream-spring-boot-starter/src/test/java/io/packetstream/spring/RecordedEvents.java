package io.packetstream.spring;

import io.packetstream.spring.context.PacketConnectionEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.event.EventListener;

/** Collects the starter's connection events, for tests to look at. */
public class RecordedEvents {

  final List<PacketConnectionEvent> events = new CopyOnWriteArrayList<>();

  @EventListener
  void on(PacketConnectionEvent event) {
    events.add(event);
  }
}
