/**
 * The {@code @PacketHandler} method model: discovery, arguments, replies, exception handlers and
 * interceptors.
 */
@NullMarked
package io.packetstream.spring.handler;

import org.jspecify.annotations.NullMarked;
