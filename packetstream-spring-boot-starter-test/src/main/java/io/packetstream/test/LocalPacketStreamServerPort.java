package io.packetstream.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the TCP port the starter's server listens on, as {@code @LocalServerPort} does for Boot's
 * web server: the value of {@code local.packetstream.server.port}, published once the server has
 * bound (so useful with {@code packetstream.server.port=0}, which {@code @PacketStreamTest} sets).
 *
 * <pre>{@code
 * @LocalPacketStreamServerPort int port;
 * }</pre>
 */
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${local.packetstream.server.port}")
public @interface LocalPacketStreamServerPort {}
