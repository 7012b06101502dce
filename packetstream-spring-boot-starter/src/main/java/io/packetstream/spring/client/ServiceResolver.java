package io.packetstream.spring.client;

/**
 * Resolves the {@code service-id} of a balanced client ({@code
 * packetstream.clients.<name>.service-id}) to the source of its instances. The starter provides one
 * over Spring Cloud's {@code DiscoveryClient} when Spring Cloud Commons is on the class path; an
 * application may define its own bean instead.
 */
@FunctionalInterface
public interface ServiceResolver {

  /** The instances of {@code serviceId}, looked up again at every refresh. */
  InstanceSource resolve(String serviceId);
}
