package io.packetstream.spring.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@code int} or {@code long} parameter of a {@link PacketHandler} method that receives
 * the request's flags. An {@code int} parameter fails the request if the flags do not fit.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PacketFlags {}
