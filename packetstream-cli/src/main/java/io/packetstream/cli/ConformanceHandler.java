package io.packetstream.cli;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import io.packetstream.wire.Packet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The handler table of the conformance service (CONFORMANCE.md section 1), by request type.
 *
 * <p>No handler blocks its thread: {@code delay} answers later from a timer, and {@code callback}
 * answers when the requester's own answer arrives, so the service keeps serving everything else
 * meanwhile.
 */
final class ConformanceHandler implements RequestHandler {

  static final int REVERSE = 0;
  static final int ECHO = 1;
  static final int FAIL = 2;
  static final int DELAY = 3;
  static final int TEXT = 4;
  static final int NONE = 5;
  static final int FLAGS_ONLY = 6;
  static final int BIG = 7;
  static final int CALLBACK = 8;

  static final long REVERSE_FLAGS = 0x11;
  static final long FLAGS_ONLY_FLAGS = 0x2A;
  static final String TEXT_REPLY = "héllo wörld";

  /** The largest {@code big} answer, kept under the connections' frame limit. */
  static final int MAX_BIG = 16 * 1024 * 1024;

  /** The longest {@code delay}: a peer cannot park a slot for longer. */
  static final long MAX_DELAY_MS = 60_000;

  /** How long {@code callback} waits for the requester's echo. */
  static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public Reply handle(Request request) throws Exception {
    switch ((int) Math.min(request.rqType(), Integer.MAX_VALUE)) {
      case REVERSE:
        return Response.ok(REVERSE_FLAGS, reversed(request.payload()));
      case ECHO:
        if (request.flags() > Packet.MAX_RESULT_FLAGS) {
          return Response.failure("echo: flags " + request.flags() + " do not fit a response");
        }
        return Response.ok(request.flags(), request.payload());
      case FAIL:
        // a handler failure, as the original's raising handler: not ok, and no stack trace logged
        throw new RequestFailedException(Response.failure());
      case DELAY:
        return delay(request);
      case TEXT:
        return Response.ok(TEXT_REPLY);
      case NONE:
        return Response.empty();
      case FLAGS_ONLY:
        return Response.ok(FLAGS_ONLY_FLAGS);
      case BIG:
        return Response.ok(big((int) number(request, MAX_BIG)));
      case CALLBACK:
        return callback(request);
      default:
        // as the original: an unknown type is a handler failure, with its payload
        throw new RequestFailedException(Response.failure());
    }
  }

  /** The payload reversed, in a new array. */
  static byte[] reversed(byte[] payload) {
    int n = payload.length;
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = payload[n - 1 - i];
    }
    return out;
  }

  /** What {@code big} answers: {@code n} bytes, byte i being {@code i % 251}. */
  static byte[] big(int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (i % 251);
    }
    return out;
  }

  private static Reply delay(Request request) {
    long ms = number(request, MAX_DELAY_MS);
    byte[] payload = request.payload();
    Executor timer = CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS, Runnable::run);
    return Reply.later(CompletableFuture.supplyAsync(() -> Response.ok(payload), timer));
  }

  private static Reply callback(Request request) {
    return Reply.later(
        request
            .connection()
            .submit(0, ECHO, request.flags(), request.payload(), CALLBACK_TIMEOUT)
            .thenApply(
                echoed -> {
                  if (!echoed.ok()) {
                    throw new IllegalStateException(
                        "callback: the requester's echo failed: " + echoed);
                  }
                  return Response.ok(echoed.payload());
                }));
  }

  /** The payload read as an ASCII decimal number from 0 to {@code max}. */
  private static long number(Request request, long max) {
    String text = new String(request.payload(), StandardCharsets.US_ASCII).trim();
    long n;
    try {
      n = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("payload '" + text + "' is not a decimal number");
    }
    if (n < 0 || n > max) {
      throw new IllegalArgumentException(n + " is out of range 0.." + max);
    }
    return n;
  }
}
