package io.packetstream.connection;

/**
 * Serves the peer's requests on a connection.
 *
 * <p>A handler returns a {@link Response} (see its factories for every kind of result), or {@link
 * Reply#later} to answer when a stage completes. Throwing sends a not-ok response: a {@link
 * RequestFailedException} chooses its flags and payload, anything else sends the original's {@value
 * Response#HANDLER_EXCEPTION}. Returning {@code null} is taken as the original's {@code None}: ok,
 * flags 0, no payload.
 *
 * <pre>{@code
 * RequestHandler handler = request -> switch ((int) request.rqType()) {
 *   case 0 -> Response.ok(reverse(request.payload()));
 *   case 1 -> Response.ok(request.flags(), request.payload());
 *   default -> Response.failure("unknown request type " + request.rqType());
 * };
 * }</pre>
 *
 * <p>Handlers run on the connection's executor, several at once; one that blocks holds one of the
 * connection's concurrency slots ({@link PacketConnection.Builder#maxConcurrentRequests}) until it
 * returns.
 */
@FunctionalInterface
public interface RequestHandler {

  /** Answers one request. */
  Reply handle(Request request) throws Exception;
}
