package io.packetstream.spring.client;

import java.util.List;

/**
 * Where a balanced client learns which instances of its service exist now: a fixed list, or a
 * discovery service asked again at every refresh. Its {@code toString()} names it in errors and
 * health ({@code service 'billing' (Spring Cloud discovery)}).
 */
@FunctionalInterface
public interface InstanceSource {

  /**
   * The instances that exist now. It may block (a discovery service over the network); it runs on a
   * client thread, never on a caller's.
   *
   * @throws Exception when they cannot be learned now: the client keeps the instances it has
   */
  List<PeerInstance> instances() throws Exception;

  /** A source that always answers {@code instances}, described as their addresses. */
  static InstanceSource fixed(List<PeerInstance> instances) {
    List<PeerInstance> copy = List.copyOf(instances);
    return new InstanceSource() {
      @Override
      public List<PeerInstance> instances() {
        return copy;
      }

      @Override
      public String toString() {
        return "addresses " + copy;
      }
    };
  }
}
