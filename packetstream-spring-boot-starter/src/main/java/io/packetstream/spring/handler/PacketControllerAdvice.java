package io.packetstream.spring.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.stereotype.Component;

/**
 * Marks a bean whose {@link PacketExceptionHandler} methods serve every {@link PacketHandler}
 * method of the application, after those on the handler's own bean, as {@code @ControllerAdvice}
 * does for controllers. Several are asked in their {@code @Order}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface PacketControllerAdvice {}
