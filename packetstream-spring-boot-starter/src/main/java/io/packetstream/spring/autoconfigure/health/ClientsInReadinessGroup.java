package io.packetstream.spring.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Adds the clients of {@code packetstream.clients.NAME.readiness=true} to the {@code readiness}
 * health group (which Boot makes when its probes are enabled, or the application defines), so that
 * the application is ready for traffic only while they are connected. Their health entries are
 * members by path ({@code packetstream/NAME}), as Boot's group includes name nested members.
 */
final class ClientsInReadinessGroup implements HealthEndpointGroupsPostProcessor {

  static final String GROUP = "readiness";

  private final Set<String> members;

  /** Adds the health entries {@code entries} of the {@code packetstream} component. */
  ClientsInReadinessGroup(Set<String> entries) {
    this.members = Set.copyOf(entries.stream().map(e -> "packetstream/" + e).toList());
  }

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    HealthEndpointGroup readiness = groups.get(GROUP);
    if (readiness == null || members.isEmpty()) {
      return groups;
    }
    Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
    for (String name : groups.getNames()) {
      all.put(name, groups.get(name));
    }
    all.put(GROUP, new WithClients(readiness, members));
    return HealthEndpointGroups.of(groups.getPrimary(), all);
  }

  /** The readiness group with the clients' entries (and their {@code packetstream} parent). */
  private record WithClients(HealthEndpointGroup group, Set<String> members)
      implements HealthEndpointGroup {

    @Override
    public boolean isMember(String name) {
      return group.isMember(name) || members.contains(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
