package io.packetstream.connection;

import io.packetstream.connection.TrafficListener.Outcome;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request this end sent and has not had an answer to: the future its caller holds.
 *
 * <p>Two parties may end it. The connection ends it with the response or with an error, after
 * taking it out of its pending table ({@link #resolve}, {@link #fail}). The caller, a timeout or
 * anyone else holding the future ends it through the public completion methods, which then take it
 * out of the table. Whoever takes it out of the table reports the end to the listener, so every
 * start gets exactly one end. Whatever a caller does to the future (complete it with null, obtrude
 * a value), the request leaves the table, so it can never hold up a graceful close.
 */
final class PendingRequest extends CompletableFuture<Response> {

  final PacketConnection connection;
  final long channel;
  final long tag;
  final long rqType;

  /** When it was sent, by {@link System#nanoTime()}; 0 on a connection without a listener. */
  final long startNanos;

  /** Whether this is the connection's own liveness probe, which listeners never see. */
  final boolean probe;

  PendingRequest(
      PacketConnection connection, long channel, long tag, long rqType, long startNanos) {
    this(connection, channel, tag, rqType, startNanos, false);
  }

  PendingRequest(
      PacketConnection connection,
      long channel,
      long tag,
      long rqType,
      long startNanos,
      boolean probe) {
    this.connection = connection;
    this.channel = channel;
    this.tag = tag;
    this.rqType = rqType;
    this.startNanos = startNanos;
    this.probe = probe;
  }

  /**
   * Ends it with the peer's response; the connection already took it out of its table. The listener
   * hears the end before the caller is woken, so that a caller reading its meters right after the
   * answer finds the request counted (as Spring's HTTP clients stop their observation before
   * returning). Should the caller end it in between (a timeout, a cancel), the listener has heard
   * of the answer that came, the caller of its own end.
   */
  void resolve(Response response) {
    if (isDone()) {
      connection.requestEnded(this, endedAs());
      return;
    }
    try {
      connection.requestEnded(this, response.ok() ? Outcome.OK : Outcome.FAILED);
    } finally {
      super.complete(response);
    }
  }

  /**
   * Ends it with an error; the connection already took it out of its table (or never put it in).
   * The listener hears first, as in {@link #resolve}.
   */
  void fail(Throwable error, Outcome outcome) {
    if (isDone()) {
      connection.requestEnded(this, endedAs());
      return;
    }
    try {
      connection.requestEnded(this, outcome);
    } finally {
      super.completeExceptionally(error);
    }
  }

  @Override
  public boolean complete(Response value) {
    if (!super.complete(value)) {
      return false;
    }
    forget(value == null ? Outcome.CANCELLED : value.ok() ? Outcome.OK : Outcome.FAILED);
    return true;
  }

  /** Forces the value as its caller may; the request is forgotten as if completed. */
  @Override
  public void obtrudeValue(Response value) {
    super.obtrudeValue(value);
    forget(value == null ? Outcome.CANCELLED : value.ok() ? Outcome.OK : Outcome.FAILED);
  }

  /** Forces the failure as its caller may; the request is forgotten as if failed. */
  @Override
  public void obtrudeException(Throwable ex) {
    super.obtrudeException(ex);
    forget(ex instanceof TimeoutException ? Outcome.TIMEOUT : Outcome.ERROR);
  }

  /**
   * Its timeout and when it runs out, for the timeout's message: written before {@code orTimeout}
   * hands the timeout to CompletableFuture's delayer thread, which the hand-off makes see them.
   */
  private long timeoutNanos;

  private long timeoutAt;

  /** Fails it with a {@link TimeoutException} that says what timed out, after {@code nanos}. */
  void timeout(long nanos) {
    timeoutNanos = nanos;
    timeoutAt = System.nanoTime() + nanos;
    orTimeout(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    if (ex instanceof TimeoutException
        && ex.getMessage() == null
        && timeoutNanos != 0
        && System.nanoTime() - timeoutAt >= 0) {
      // CompletableFuture's own timeout says nothing of what timed out; a caller's own, shorter
      // orTimeout keeps its exception
      ex =
          new TimeoutException(
              connection.name()
                  + ": no answer to request type "
                  + rqType
                  + " on channel "
                  + channel
                  + " within "
                  + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                  + "ms");
    }
    if (isDone()) {
      return false;
    }
    // the listener first, as for an answer: a caller woken by its timeout finds it counted
    boolean ended = false;
    try {
      forget(ex instanceof TimeoutException ? Outcome.TIMEOUT : Outcome.ERROR);
    } finally {
      ended = super.completeExceptionally(ex);
    }
    return ended;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    boolean ended = false;
    try {
      forget(Outcome.CANCELLED);
    } finally {
      ended = super.cancel(mayInterruptIfRunning);
    }
    return ended;
  }

  private void forget(Outcome outcome) {
    if (connection.removePending(this)) {
      connection.requestEnded(this, outcome);
    }
  }

  /** How someone else ended it, when the connection's own completion came second. */
  private Outcome endedAs() {
    if (isCancelled()) {
      return Outcome.CANCELLED;
    }
    try {
      Response r = join();
      return r == null ? Outcome.CANCELLED : r.ok() ? Outcome.OK : Outcome.FAILED;
    } catch (CompletionException e) {
      return e.getCause() instanceof TimeoutException ? Outcome.TIMEOUT : Outcome.ERROR;
    } catch (CancellationException e) {
      return Outcome.CANCELLED;
    }
  }
}
