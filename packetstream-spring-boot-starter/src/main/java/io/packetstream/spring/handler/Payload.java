package io.packetstream.spring.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of a {@link PacketHandler} method that receives the request's payload: as
 * bytes, a {@link java.nio.ByteBuffer}, text, or an object the {@link PayloadCodec} decodes. It is
 * optional: a parameter no resolver claims by its type gets the payload anyway. Annotated, a
 * parameter always gets the payload, even a type such as {@link RequestContext} that would
 * otherwise describe the request; a method takes the payload in one parameter at most.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Payload {}
