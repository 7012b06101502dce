package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * One of the peer's requests, admitted to run: calls the handler, sends the answer, gives its
 * concurrency slot to the next queued request.
 *
 * <p>When a handler answers at once, the thread that ran it goes on to run the next queued request
 * itself, in a loop rather than by recursion, so a long queue cannot overflow the stack even on a
 * direct executor. An answer that comes later, on some other thread, hands the next request to the
 * executor.
 */
final class InboundRequest implements Runnable {

  final PacketConnection connection;
  final Packet packet;
  final RequestHandler handler;
  final long startNanos;

  InboundRequest(
      PacketConnection connection, Packet packet, RequestHandler handler, long startNanos) {
    this.connection = connection;
    this.packet = packet;
    this.handler = handler;
    this.startNanos = startNanos;
  }

  @Override
  public void run() {
    Object outer = connection.enter();
    try {
      InboundRequest next = this;
      while (next != null) {
        next = next.execute();
      }
    } finally {
      connection.exit(outer);
    }
  }

  /** Runs the handler; returns the next queued request if this one is already answered. */
  private InboundRequest execute() {
    Reply reply;
    try {
      reply =
          handler.handle(
              new Request(
                  connection,
                  packet.channel(),
                  packet.tag(),
                  packet.rqType(),
                  packet.flags(),
                  packet.payload()));
    } catch (Throwable t) {
      return answer(null, t);
    }
    if (reply == null || reply instanceof Response) {
      // null is the original's None: ok, flags 0, no payload
      return answer((Response) reply, null);
    }
    CompletionStage<Response> stage = ((DeferredReply) reply).stage();
    if (stage instanceof CompletableFuture<Response> future && future.isDone()) {
      try {
        return answer(future.get(), null);
      } catch (ExecutionException e) {
        return answer(null, e.getCause());
      } catch (CancellationException | InterruptedException e) {
        return answer(null, e);
      }
    }
    stage.whenComplete(
        (response, error) -> {
          Object outer = connection.enter();
          try {
            InboundRequest next = answer(response, error);
            if (next != null) {
              connection.execute(next);
            }
          } finally {
            connection.exit(outer);
          }
        });
    return null;
  }

  /** Answers without running the handler: the executor failed to take it. */
  InboundRequest refuse(Throwable error) {
    return answer(null, error);
  }

  private InboundRequest answer(Response response, Throwable error) {
    if (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    if (error != null) {
      response = connection.failureResponse(this, error);
    } else if (response == null) {
      response = Response.empty();
    }
    InboundRequest next;
    try {
      connection.respond(this, response);
    } finally {
      // the slot is freed whatever respond threw, or a close would wait for it forever
      next = connection.release(this);
    }
    return next;
  }
}
