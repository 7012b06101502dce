package io.packetstream.spring.handler;

import io.packetstream.connection.Request;

/** Produces one argument of a handler method from a request; chosen once at start-up. */
@FunctionalInterface
interface ArgumentResolver {

  Object resolve(Request request) throws Exception;
}
