package io.packetstream.spring.autoconfigure;

import io.packetstream.spring.client.InstanceSource;
import io.packetstream.spring.client.PeerInstance;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * The instances of one service as Spring Cloud's {@link DiscoveryClient} lists them at each look-up
 * (Kubernetes, Consul, Eureka, the simple properties-based one...). An instance is known by its
 * instance id, or by its address when discovery gives none; one without a usable host and port is
 * left out, with a warning once.
 */
final class DiscoveryInstances implements InstanceSource {

  private static final System.Logger LOG =
      io.packetstream.connection.Loggers.of(DiscoveryInstances.class);

  private final ObjectProvider<DiscoveryClient> discovery;
  private final String serviceId;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  DiscoveryInstances(ObjectProvider<DiscoveryClient> discovery, String serviceId) {
    this.discovery = discovery;
    this.serviceId = serviceId;
  }

  @Override
  public List<PeerInstance> instances() {
    DiscoveryClient client = discovery.getIfAvailable();
    if (client == null) {
      throw new IllegalStateException(
          "no DiscoveryClient bean to look up service '"
              + serviceId
              + "' (is spring.cloud.discovery.enabled false?)");
    }
    List<PeerInstance> found = new ArrayList<>();
    for (ServiceInstance i : client.getInstances(serviceId)) {
      String host = i.getHost();
      int port = i.getPort();
      String address = host + ":" + port;
      String id = i.getInstanceId() != null ? i.getInstanceId() : address;
      if (host == null || host.isBlank() || port < 1 || port > 65535) {
        if (warned.add(id + "@" + address)) {
          LOG.log(
              Level.WARNING,
              () ->
                  "service '"
                      + serviceId
                      + "': instance "
                      + id
                      + " has no usable host and port ("
                      + address
                      + "); left out");
        }
        continue;
      }
      found.add(
          id.equals(address) ? PeerInstance.of(host, port) : new PeerInstance(id, host, port));
    }
    return found;
  }

  @Override
  public String toString() {
    return "service '" + serviceId + "' (Spring Cloud discovery)";
  }
}
