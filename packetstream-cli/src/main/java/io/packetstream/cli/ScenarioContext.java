package io.packetstream.cli;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a scenario works with: its connection, bounded waits, and checks that fail the scenario with
 * a message naming what was expected and what came.
 */
final class ScenarioContext {

  final PacketConnection connection;
  private final AtomicLong echoesServed;
  private final PeerEof peerEof;
  private final Duration requestLimit;

  ScenarioContext(
      PacketConnection connection,
      AtomicLong echoesServed,
      PeerEof peerEof,
      Duration requestLimit) {
    this.connection = connection;
    this.echoesServed = echoesServed;
    this.peerEof = peerEof;
    this.requestLimit = requestLimit;
  }

  /** How long one request may take before the scenario fails. */
  Duration requestLimit() {
    return requestLimit;
  }

  /** Whether the service has sent EOF on this connection (final once the connection has ended). */
  boolean peerSentEof() {
    return peerEof.received();
  }

  /** Echo requests answered for the service so far. */
  long echoesServed() {
    return echoesServed.get();
  }

  /** Sends a request; the future fails if no answer comes within {@link #requestLimit()}. */
  CompletableFuture<Response> submit(long type, long flags, byte[] payload) {
    return connection.submit(0, type, flags, payload, requestLimit);
  }

  /** Sends a request and waits (bounded) for its answer. */
  Response ask(long type, long flags, byte[] payload) throws Exception {
    return await(submit(type, flags, payload), requestLimit.plusSeconds(1));
  }

  /**
   * Waits for a future at most {@code limit}, unwrapping its failure; a request's own timeout
   * becomes a scenario failure that says so.
   */
  <T> T await(CompletableFuture<T> future, Duration limit) throws Exception {
    try {
      return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TimeoutException) {
        throw new ScenarioFailure(
            "a request got no answer within " + requestLimit.toMillis() + " ms");
      }
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new ScenarioFailure("no answer within " + limit.toMillis() + " ms");
    }
  }

  /** Fails the scenario with {@code message} unless {@code condition} holds. */
  static void check(boolean condition, String message) throws ScenarioFailure {
    if (!condition) {
      throw new ScenarioFailure(message);
    }
  }

  /** Checks a response's ok bit, flags and payload. */
  static void expect(String what, Response r, boolean ok, long flags, byte[] payload)
      throws ScenarioFailure {
    check(r.ok() == ok, what + ": expected " + (ok ? "ok" : "not ok") + ", got " + r);
    check(r.flags() == flags, what + ": expected flags " + flags + ", got " + r.flags());
    if (!Arrays.equals(r.payload(), payload)) {
      throw new ScenarioFailure(
          what + ": expected payload " + show(payload) + ", got " + show(r.payload()));
    }
  }

  /** Checks a response's ok bit and payload, for answers whose flags the contract leaves open. */
  static void expectOk(String what, Response r, byte[] payload) throws ScenarioFailure {
    expect(what, r, true, r.flags(), payload);
  }

  /** Checks that a response is not ok (its flags and payload are the service's to choose). */
  static void expectFailure(String what, Response r) throws ScenarioFailure {
    check(!r.ok(), what + ": expected a not-ok response, got " + r);
  }

  static String show(byte[] payload) {
    int shown = Math.min(payload.length, 24);
    return payload.length
        + " bytes "
        + HexFormat.of().formatHex(payload, 0, shown)
        + (shown < payload.length ? "..." : "");
  }
}
