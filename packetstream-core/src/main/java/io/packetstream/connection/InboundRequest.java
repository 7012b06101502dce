package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

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

  private static final AtomicIntegerFieldUpdater<InboundRequest> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(InboundRequest.class, "ended");

  final PacketConnection connection;
  final Packet packet;
  final RequestHandler handler;
  final long startNanos;

  /** The stage a later answer comes from; set before the request waits for it. */
  private CompletionStage<Response> stage;

  /**
   * Whether its handler returned and its concurrency slot went on while it awaits its answer;
   * guarded by the connection's {@link Inbound}.
   */
  boolean slotFreed;

  /** 1 once a request answered later has ended: by its stage, or by its connection's end. */
  private volatile int ended;

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
    // a minimal stage is a CompletableFuture that refuses isDone(); its copy answers for it
    if (stage instanceof CompletableFuture<Response> cf && cf.toCompletableFuture().isDone()) {
      CompletableFuture<Response> future = cf.toCompletableFuture();
      try {
        return answer(future.get(), null);
      } catch (ExecutionException e) {
        return answer(null, e.getCause());
      } catch (CancellationException | InterruptedException e) {
        return answer(null, e);
      }
    }
    this.stage = stage;
    InboundRequest next = connection.awaitLater(this);
    if (next == Inbound.ENDED) {
      endWithConnection(); // the connection ended while the handler ran
      return null;
    }
    stage.whenComplete(this::answerLater);
    return next;
  }

  private void answerLater(Response response, Throwable error) {
    if (!ENDED.compareAndSet(this, 0, 1)) {
      return; // the connection ended first, and this request with it
    }
    connection.answeredLater(this);
    Object outer = connection.enter();
    try {
      InboundRequest next = answer(response, error);
      if (next != null) {
        connection.execute(next);
      }
    } finally {
      connection.exit(outer);
    }
  }

  /**
   * The connection ended while this request waited for its stage: the stage is cancelled (which
   * cancels the work behind it, where it can), and the request ends with the connection, so that
   * listeners hear of its end; an answer the stage gives later is dropped.
   */
  void endWithConnection() {
    if (!ENDED.compareAndSet(this, 0, 1)) {
      return;
    }
    try {
      stage.toCompletableFuture().cancel(false);
    } catch (RuntimeException e) {
      // a stage that cannot be cancelled: whatever it gives later is dropped
    }
    try {
      connection.respond(this, Response.failure()); // nothing is sent: the connection has ended
    } finally {
      connection.release(this);
    }
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
