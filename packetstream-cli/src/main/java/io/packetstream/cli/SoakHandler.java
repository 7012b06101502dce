package io.packetstream.cli;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The soak server's handler, and the rules both ends agree on: what a request of each type looks
 * like and what its answer must be.
 *
 * <p>A request's payload starts with its id (8 bytes, big-endian), then random bytes. By request
 * type the handler answers at once ({@link #NOW}), 1-20 ms later from a scheduler through {@link
 * Reply#later} ({@link #LATER}), after blocking its thread 1-5 ms ({@link #BLOCK}), by throwing a
 * {@link RequestFailedException} with flags and payload made from the id ({@link #ASKED}), or by
 * throwing something unexpected ({@link #THROW}). The delays come from the id, so the handler needs
 * no random source of its own.
 *
 * <p>Every id the handler sees is marked in a bit set; an id seen a second time is a duplicate, an
 * id outside the run's range a stray. {@link Fault}s make the handler misbehave on purpose, so that
 * tests can prove the soak's checks find what they look for.
 */
final class SoakHandler implements RequestHandler {

  static final int NOW = 1;
  static final int LATER = 2;
  static final int BLOCK = 3;
  static final int ASKED = 4;
  static final int THROW = 5;
  static final int TYPES = 5;

  /** How long the thread of {@link Fault#leak_thread} lives. */
  static final long LEAK_MILLIS = 8_000;

  /** The id's bytes at the start of every payload. */
  static final int ID_BYTES = 8;

  /** What the handler does wrong on purpose, for the tests of the soak's own checks. */
  enum Fault {
    /** Nothing: the real run. */
    none,
    /** Every 97th answer of the ok types, the first included, carries a changed byte. */
    corrupt,
    /** Every 97th asked failure, the first included, carries other flags. */
    failure_text,
    /** Every 97th request, the first included, is marked as handled twice. */
    twice,
    /** Every 97th request of type LATER, the first included, is never answered. */
    hang,
    /**
     * Every 97th request of type NOW, the first included, fails with a text the soak does not know.
     */
    unknown_text,
    /** The first request starts a thread that outlives the run by a few seconds. */
    leak_thread
  }

  private final ScheduledExecutorService scheduler;
  private final Fault fault;
  private final AtomicLongArray handled;
  private final long maxId;
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong strays = new AtomicLong();

  /**
   * Requests the fault could strike so far: counted, not drawn from ids, so that even a short run
   * whose ids fall on other types meets the fault at least once.
   */
  private final AtomicLong faultCandidates = new AtomicLong();

  /** A handler for ids 0 to {@code maxId - 1}, answering later through {@code scheduler}. */
  SoakHandler(long maxId, ScheduledExecutorService scheduler, Fault fault) {
    this.maxId = maxId;
    this.scheduler = scheduler;
    this.fault = fault;
    this.handled = new AtomicLongArray(Math.toIntExact(maxId / 64 + 1));
  }

  /** Ids handled more than once so far. */
  long duplicates() {
    return duplicates.get();
  }

  /** Requests whose payload held no id of this run. */
  long strays() {
    return strays.get();
  }

  @Override
  public Reply handle(Request request) throws Exception {
    byte[] payload = request.payload();
    if (payload.length < ID_BYTES) {
      strays.incrementAndGet();
      return Response.failure("soak: no id");
    }
    long id = ByteBuffer.wrap(payload).getLong();
    if (id < 0 || id >= maxId) {
      strays.incrementAndGet();
      return Response.failure("soak: stray id " + id);
    }
    mark(id);
    if (fault == Fault.leak_thread && id == 0) {
      Thread leak =
          new Thread(
              () -> {
                try {
                  Thread.sleep(LEAK_MILLIS);
                } catch (InterruptedException e) {
                  // ends early
                }
              },
              "soak-leak");
      leak.setDaemon(true);
      leak.start();
    }
    if (fault == Fault.twice && faultTurn()) {
      mark(id);
    }
    int type = (int) request.rqType();
    switch (type) {
      case NOW:
        if (fault == Fault.unknown_text && faultTurn()) {
          return Response.failure("soak: out of the blue");
        }
        return answer(id, type, payload);
      case LATER:
        {
          CompletableFuture<Response> later = new CompletableFuture<>();
          if (fault == Fault.hang && faultTurn()) {
            return Reply.later(later); // never completes
          }
          scheduler.schedule(
              () -> later.complete(answer(id, type, payload)),
              1 + spread(id, 20),
              TimeUnit.MILLISECONDS);
          return Reply.later(later);
        }
      case BLOCK:
        Thread.sleep(1 + spread(id, 5));
        return answer(id, type, payload);
      case ASKED:
        {
          long flags = askedFlags(id);
          if (fault == Fault.failure_text && faultTurn()) {
            flags++;
          }
          throw new RequestFailedException(flags, askedPayload(id));
        }
      case THROW:
        throw new IllegalStateException("soak: an unexpected failure, as asked");
      default:
        return Response.failure("soak: unknown request type " + type);
    }
  }

  /** Whether the handler has seen {@code id}. */
  boolean handled(long id) {
    return id >= 0 && id < maxId && (handled.get((int) (id >>> 6)) & (1L << (id & 63))) != 0;
  }

  private void mark(long id) {
    int word = (int) (id >>> 6);
    long bit = 1L << (id & 63);
    long old = handled.getAndAccumulate(word, bit, (a, b) -> a | b);
    if ((old & bit) != 0) {
      duplicates.incrementAndGet();
    }
  }

  private Response answer(long id, int type, byte[] payload) {
    byte[] body = expectedBody(payload);
    if (fault == Fault.corrupt && faultTurn()) {
      body[body.length - 1] ^= 1;
    }
    return Response.ok(expectedFlags(id, type), body);
  }

  /** Whether the fault strikes this candidate: the first and every 97th after it. */
  private boolean faultTurn() {
    return faultCandidates.getAndIncrement() % 97 == 0;
  }

  /** A number from 0 to {@code n - 1} made from the id. */
  static long spread(long id, int n) {
    long h = id * 0x9E3779B97F4A7C15L;
    return Long.remainderUnsigned(h ^ (h >>> 29), n);
  }

  /** The flags of an ok answer. */
  static long expectedFlags(long id, int type) {
    return (id & 0xFFFF) * 8 + type;
  }

  /** The payload of an ok answer: the request's payload reversed. */
  static byte[] expectedBody(byte[] payload) {
    return ConformanceHandler.reversed(payload);
  }

  /** The flags of a failure the handler asks for. */
  static long askedFlags(long id) {
    return 1 + id % 1000;
  }

  /** The payload of a failure the handler asks for. */
  static byte[] askedPayload(long id) {
    return ("asked failure " + id).getBytes(StandardCharsets.US_ASCII);
  }
}
