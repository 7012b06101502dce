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
 * health group, so that the application is ready for traffic only while they are connected. Their
 * health entries are members by path ({@code packetstream/NAME}), as Boot's group includes name
 * nested members.
 *
 * <p>The application may define the group; otherwise Boot's probes make it, in a post-processor
 * that may run after this one and keeps a readiness group it finds. So when probes are on and there
 * is no group yet, this one makes it as Boot would ({@code readinessState}, components hidden),
 * plus the clients.
 */
final class ClientsInReadinessGroup implements HealthEndpointGroupsPostProcessor {

  static final String GROUP = "readiness";

  /** The member of Boot's probe group: the application's own readiness state. */
  static final String READINESS_STATE = "readinessState";

  private final Set<String> members;

  private final boolean probes;

  /**
   * Adds the health entries {@code entries} of the {@code packetstream} component; {@code probes}
   * says whether Boot's probes are on ({@code management.endpoint.health.probes.enabled}).
   */
  ClientsInReadinessGroup(Set<String> entries, boolean probes) {
    this.members = Set.copyOf(entries.stream().map(e -> "packetstream/" + e).toList());
    this.probes = probes;
  }

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    if (members.isEmpty()) {
      return groups;
    }
    HealthEndpointGroup readiness = groups.get(GROUP);
    if (readiness == null) {
      if (!probes) {
        return groups;
      }
      readiness = new ProbeGroup();
    }
    Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
    for (String name : groups.getNames()) {
      all.put(name, groups.get(name));
    }
    all.put(GROUP, new WithClients(readiness, members));
    return HealthEndpointGroups.of(groups.getPrimary(), all);
  }

  /** Boot's readiness probe group: its state only, no components shown, default statuses. */
  private static final class ProbeGroup implements HealthEndpointGroup {

    @Override
    public boolean isMember(String name) {
      return READINESS_STATE.equals(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return false;
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return false;
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return StatusAggregator.getDefault();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return HttpCodeStatusMapper.getDefault();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      // Boot's post-processor adds /readyz to a group it keeps, when asked to
      return null;
    }
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
