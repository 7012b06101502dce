package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;

/** Turns what a handler method returned into the reply; chosen once at start-up. */
@FunctionalInterface
interface ResponseMapper {

  Reply map(Object result);
}
