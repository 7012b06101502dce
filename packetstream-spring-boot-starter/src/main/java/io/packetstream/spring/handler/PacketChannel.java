package io.packetstream.spring.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The channel of every {@link PacketHandler} method of a class that does not name one itself, as a
 * class-level {@code @RequestMapping} prefixes its methods' paths.
 *
 * <pre>{@code
 * @Component
 * @PacketChannel(2)
 * class Billing {
 *   @PacketHandler(1) Invoice invoice(Order order) { ... }          // channel 2
 *   @PacketHandler(value = 9, channel = 0) String ping() { ... }    // channel 0
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PacketChannel {

  /** The channel. */
  long value();
}
