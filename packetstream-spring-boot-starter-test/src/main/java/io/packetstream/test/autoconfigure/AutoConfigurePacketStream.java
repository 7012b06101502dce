package io.packetstream.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.json.AutoConfigureJson;

/**
 * Imports the starter's auto-configurations a packetstream test needs (handlers, codec, Jackson,
 * observations, validation, the server) and a {@link io.packetstream.test.PacketStreamTester} bean;
 * {@link PacketStreamTest @PacketStreamTest} uses it, and a {@code @SpringBootTest} may add it to
 * get the tester. The list is {@code
 * META-INF/spring/io.packetstream.test.autoconfigure.AutoConfigurePacketStream.imports}.
 *
 * <p>With {@code packetstream.test.transport=in-memory} the tester talks to the application over an
 * in-memory pipe pair instead of TCP, and the server is not started; the default, {@code tcp},
 * connects to the running server.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@AutoConfigureJson
@ImportAutoConfiguration
public @interface AutoConfigurePacketStream {}
