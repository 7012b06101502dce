package io.packetstream.spring.handler;

/**
 * Turns what a handler method returned into its answer, chosen once at start-up: a {@link
 * io.packetstream.connection.Response} now, a {@link java.util.concurrent.CompletionStage} of one
 * for later, or a core {@link io.packetstream.connection.Reply} the starter passes on as it is.
 */
@FunctionalInterface
interface ResponseMapper {

  Object map(Object result) throws Exception;
}
