package io.packetstream.spring.handler;

import io.packetstream.connection.Request;
import org.springframework.core.MethodParameter;

/**
 * Fills one kind of {@link PacketHandler} method parameter from the request, as Spring MVC's {@code
 * HandlerMethodArgumentResolver} does for controllers: define a bean to add a kind (a tenant read
 * from the flags, an authenticated principal...). The application's resolvers are asked in their
 * {@code @Order}, before the starter's own (payload, flags, context, request, connection), which
 * are resolvers of this type too; the first that supports a parameter fills it for every request.
 *
 * <pre>{@code
 * @Bean
 * PacketArgumentResolver tenants() {
 *   return new PacketArgumentResolver() {
 *     public boolean supportsParameter(MethodParameter p) { return p.getParameterType() == Tenant.class; }
 *     public Object resolveArgument(MethodParameter p, Request rq) { return Tenant.of(rq.flags()); }
 *   };
 * }
 * }</pre>
 */
public interface PacketArgumentResolver {

  /** Whether this resolver fills {@code parameter}; asked once per parameter, at start-up. */
  boolean supportsParameter(MethodParameter parameter);

  /**
   * The argument for {@code parameter} from {@code request}; called for every request, on the
   * handler's thread. An exception fails the request as one thrown by the handler would.
   */
  Object resolveArgument(MethodParameter parameter, Request request) throws Exception;
}
