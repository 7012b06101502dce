package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.client.PacketClients;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.event.HeartbeatMonitor;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SmartApplicationListener;

/**
 * Makes balanced clients look up their instances again when Spring Cloud discovery says the catalog
 * changed (a {@link HeartbeatEvent} whose value differs from the last one) or when this application
 * registered itself ({@link InstanceRegisteredEvent}), rather than at their next refresh.
 */
final class DiscoveryRefresh implements SmartApplicationListener {

  private final ObjectProvider<PacketClients> clients;
  private final HeartbeatMonitor monitor = new HeartbeatMonitor();

  DiscoveryRefresh(ObjectProvider<PacketClients> clients) {
    this.clients = clients;
  }

  @Override
  public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
    return HeartbeatEvent.class.isAssignableFrom(eventType)
        || InstanceRegisteredEvent.class.isAssignableFrom(eventType);
  }

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (event instanceof HeartbeatEvent heartbeat) {
      boolean changed;
      synchronized (monitor) {
        changed = monitor.update(heartbeat.getValue());
      }
      if (!changed) {
        return;
      }
    }
    PacketClients all = clients.getIfAvailable();
    if (all != null) {
      all.refreshInstances();
    }
  }
}
