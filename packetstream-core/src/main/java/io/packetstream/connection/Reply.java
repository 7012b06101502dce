package io.packetstream.connection;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link RequestHandler} gives back: a {@link Response} now, or one {@link #later} when a
 * {@link CompletionStage} completes, so that a handler never has to block a thread to wait.
 */
public sealed interface Reply permits Response, DeferredReply {

  /**
   * A reply that is sent when {@code stage} completes. A stage that completes exceptionally sends a
   * not-ok response, exactly as if the handler had thrown. If the connection ends first, the stage
   * is cancelled (through {@code toCompletableFuture()}, where it allows it), the request ends with
   * the connection, and what the stage gives later is dropped. A stage others wait on too (a
   * cache's) would be cancelled for them as well: give this one of its own ({@code
   * shared.thenApply(r -> r)}).
   *
   * <pre>{@code
   * return Reply.later(request.connection().submit(1, 0, request.payload())
   *     .thenApply(r -> Response.ok(r.payload())));
   * }</pre>
   */
  static Reply later(CompletionStage<Response> stage) {
    return new DeferredReply(Objects.requireNonNull(stage, "stage"));
  }
}
