package io.packetstream.test;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.transport.PacketClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;

/**
 * A peer of the packetstream server under test, for tests that read like the conversation they
 * check: send a request and assert its answer, and assert the requests the server sends back over
 * the same connection (callbacks such as change notifications).
 *
 * <pre>{@code
 * tester.request(PUT).payload(new Put("k", "v")).exchange().assertOk().assertFlags(0);
 * Receipt r = tester.request(ORDER).payload(order).exchange().assertOk().payload(Receipt.class);
 *
 * tester.onRequest(CHANGED).respondOk();
 * ReceivedRequest change = tester.awaitRequest(CHANGED, Duration.ofSeconds(5));
 * assertThat(change.payload(Change.class)).isEqualTo(new Change("k", "v"));
 * }</pre>
 *
 * <p>{@code @PacketStreamTest} and {@code @AutoConfigurePacketStream} provide one as a bean, which
 * connects on first use and is reset after every test method (so it is not for tests that run in
 * parallel: give each its own, {@link #newTester()}); {@link #connect} makes one for any server.
 * Payloads that are neither bytes nor text go through the {@link PayloadCodec}. Every wait is
 * bounded: an exchange by its timeout ({@link #DEFAULT_TIMEOUT} unless set), an awaited request by
 * the duration given. A failed expectation throws an {@link AssertionError} that names the request
 * and what came instead.
 *
 * <p>The server's requests are answered as {@link #onRequest} says; a type with no answer set is
 * refused with a not-ok answer, as a peer that does not know the type would, and kept all the same
 * for {@link #awaitRequest}. At most {@link #MAX_KEPT_REQUESTS} untaken requests are kept; past
 * that, the server's requests are refused, and the next {@link #awaitRequest} says so.
 */
public final class PacketStreamTester implements AutoCloseable {

  /** How long an exchange waits for its answer unless its request says otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** How many of the server's requests the tester keeps for {@link #awaitRequest} at most. */
  public static final int MAX_KEPT_REQUESTS = 1024;

  /** How much longer than a request's own timeout an exchange waits before it gives up. */
  private static final Duration GRACE = Duration.ofSeconds(1);

  /**
   * Opens the tester's end of a new connection to the server under test: over TCP, a Unix socket,
   * or in memory. {@code testerEnd} carries the tester's handler for the server's requests; open
   * the connection with it.
   */
  @FunctionalInterface
  public interface Connector {

    /** Opens a connection with {@code testerEnd}. */
    PacketConnection open(PacketConnection.Builder testerEnd) throws IOException;
  }

  private final Connector connector;
  private final @Nullable PayloadCodec codec;
  private final Map<Long, Function<ReceivedRequest, Response>> answers = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  /** The server's requests not yet taken, oldest first; guarded by {@link #lock}. */
  private final Deque<ReceivedRequest> received = new ArrayDeque<>();

  /** Requests refused because {@link #received} was full; guarded by {@link #lock}. */
  private long refused;

  /** Guarded by {@link #lock}. */
  private @Nullable PacketConnection connection;

  private PacketStreamTester(Connector connector, @Nullable PayloadCodec codec) {
    this.connector = Objects.requireNonNull(connector, "connector");
    this.codec = codec;
  }

  /**
   * A tester connected now to the server at {@code host:port} over TCP; {@code codec} (may be null:
   * bytes and text only) writes and reads the other payloads. Close it when done.
   */
  public static PacketStreamTester connect(String host, int port, @Nullable PayloadCodec codec)
      throws IOException {
    PacketStreamTester tester = connecting(b -> PacketClient.connect(host, port, b), codec);
    try {
      tester.connection();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return tester;
  }

  /**
   * A tester that opens its connection with {@code connector} on first use, and again on first use
   * after {@link #reset()} or {@link #close()}.
   */
  public static PacketStreamTester connecting(Connector connector, @Nullable PayloadCodec codec) {
    return new PacketStreamTester(connector, codec);
  }

  /**
   * A new tester of the same server, over the same transport, with its own connection, answers and
   * requests: a second peer, or one of its own for a test that runs in parallel with others (the
   * bean is shared by every test of a cached context, and resetting it after one test would end
   * another's exchange). Close it when done.
   */
  public PacketStreamTester newTester() {
    return new PacketStreamTester(connector, codec);
  }

  /**
   * A request of type {@code rqType} to the server, to be sent with {@link RequestSpec#exchange()}.
   */
  public RequestSpec request(long rqType) {
    return new RequestSpec(rqType);
  }

  /** How to answer the server's requests of type {@code rqType}, on any channel. */
  public AnswerSpec onRequest(long rqType) {
    return new AnswerSpec(rqType);
  }

  /**
   * Waits at most {@code timeout} for a request of type {@code rqType} from the server and takes
   * it: the oldest one not taken yet, which may have come before the call.
   *
   * @throws AssertionError if none comes in time or the connection ends first
   */
  public ReceivedRequest awaitRequest(long rqType, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    PacketConnection c = connection();
    synchronized (lock) {
      while (true) {
        ReceivedRequest found = take(rqType);
        if (found != null) {
          return found;
        }
        long left = deadline - System.nanoTime();
        boolean ended = c.state().isTerminal();
        if (left <= 0 || ended) {
          throw new AssertionError(
              "expected a request of type "
                  + rqType
                  + " from the server"
                  + (ended
                      ? " but the connection ended ("
                          + c.failure().map(Throwable::toString).orElse("closed")
                          + ")"
                      : " within " + timeout + " but none came")
                  + "; "
                  + untaken());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for a request of type " + rqType, e);
        }
      }
    }
  }

  /** As {@link #awaitRequest(long, Duration)}, waiting {@link #DEFAULT_TIMEOUT}. */
  public ReceivedRequest awaitRequest(long rqType) {
    return awaitRequest(rqType, DEFAULT_TIMEOUT);
  }

  /**
   * Asserts that no request of type {@code rqType} from the server is waiting to be taken now. It
   * does not wait: use it after an exchange whose answer comes only once the server's requests have
   * been answered.
   */
  public PacketStreamTester assertNoRequest(long rqType) {
    synchronized (lock) {
      for (ReceivedRequest r : received) {
        if (r.rqType() == rqType) {
          throw new AssertionError(
              "expected no request of type " + rqType + " from the server but it sent " + r);
        }
      }
    }
    return this;
  }

  /**
   * The connection to the server, opened now if there is none yet: to check its state or send what
   * the fluent API does not. Once it has ended it stays ended, and exchanges fail saying so, until
   * {@link #reset()} or {@link #close()}.
   *
   * @throws UncheckedIOException if it cannot be opened
   */
  public PacketConnection connection() {
    synchronized (lock) {
      PacketConnection c = connection;
      if (c == null) {
        try {
          c =
              connector.open(
                  PacketConnection.builder().name("packetstream-tester").handler(this::answer));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "packetstream tester cannot connect: " + e.getMessage(), e);
        }
        connection = c;
      }
      return c;
    }
  }

  /**
   * Ends the connection at once and forgets the answers set and the requests received: what happens
   * to the tester bean after each test method. The next call connects again. It does not close
   * gracefully, which would wait for the server to finish every request the test gave up on.
   */
  public void reset() {
    PacketConnection c;
    synchronized (lock) {
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.abort();
    }
    answers.clear();
    synchronized (lock) {
      received.clear();
      refused = 0;
    }
  }

  /** Closes the connection gracefully, if there is one. */
  @Override
  public void close() {
    PacketConnection c;
    synchronized (lock) {
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.close();
    }
  }

  @Override
  public String toString() {
    PacketConnection c;
    synchronized (lock) {
      c = connection;
    }
    return "PacketStreamTester[" + (c == null ? "not connected" : c) + "]";
  }

  private Response answer(Request rq) {
    ReceivedRequest r =
        new ReceivedRequest(rq.channel(), rq.rqType(), rq.flags(), rq.payload().clone(), codec);
    synchronized (lock) {
      if (received.size() >= MAX_KEPT_REQUESTS) {
        refused++;
        return Response.failure(
            "the packetstream tester keeps at most "
                + MAX_KEPT_REQUESTS
                + " requests that the test has not taken with awaitRequest");
      }
      received.add(r);
      lock.notifyAll();
    }
    Function<ReceivedRequest, Response> answer = answers.get(rq.rqType());
    if (answer == null) {
      return Response.failure(
          "the packetstream tester has no answer for request type "
              + rq.rqType()
              + ": give one with onRequest("
              + rq.rqType()
              + ")");
    }
    return answer.apply(r);
  }

  /** Removes and returns the oldest untaken request of {@code rqType}; holds {@link #lock}. */
  private @Nullable ReceivedRequest take(long rqType) {
    for (Iterator<ReceivedRequest> i = received.iterator(); i.hasNext(); ) {
      ReceivedRequest r = i.next();
      if (r.rqType() == rqType) {
        i.remove();
        return r;
      }
    }
    return null;
  }

  /** What was received instead, for a message; holds {@link #lock}. */
  private String untaken() {
    Map<Long, Integer> types = new TreeMap<>();
    received.forEach(r -> types.merge(r.rqType(), 1, Integer::sum));
    String kept =
        types.isEmpty()
            ? "no other request is waiting to be taken"
            : "requests waiting to be taken, by type: " + types;
    return refused == 0
        ? kept
        : kept + "; " + refused + " more were refused (over " + MAX_KEPT_REQUESTS + " kept)";
  }

  /** A request being written: payload, flags, channel and timeout, then {@link #exchange()}. */
  public final class RequestSpec {

    private final long rqType;
    private long flags;
    private long channel;
    private byte[] payload = new byte[0];
    private String shown = "(empty)";
    private Duration timeout = DEFAULT_TIMEOUT;

    private RequestSpec(long rqType) {
      this.rqType = rqType;
    }

    /** The payload: bytes as they are, text as UTF-8, anything else through the codec. */
    public RequestSpec payload(Object payload) {
      this.payload = Payloads.encode(Objects.requireNonNull(payload, "payload"), codec);
      this.shown = Payloads.quote(this.payload);
      return this;
    }

    /** The request's flags (default 0). */
    public RequestSpec flags(long flags) {
      this.flags = flags;
      return this;
    }

    /** The channel (default 0). */
    public RequestSpec channel(long channel) {
      this.channel = channel;
      return this;
    }

    /** How long to wait for the answer (default {@link #DEFAULT_TIMEOUT}); more than zero. */
    public RequestSpec timeout(Duration timeout) {
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("an exchange's timeout is more than zero: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sends the request and waits for its answer, ok or not.
     *
     * @throws AssertionError if no answer comes within the timeout or the connection ends first
     */
    public ExchangeResult exchange() {
      String request =
          "request type "
              + rqType
              + " (channel "
              + channel
              + ", flags "
              + flags
              + ", payload "
              + shown
              + ")";
      CompletableFuture<Response> answer =
          connection().submit(channel, rqType, flags, payload, timeout);
      try {
        Response r = answer.get(timeout.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS);
        if (r == null) {
          throw new AssertionError(request + ": the request was abandoned");
        }
        return new ExchangeResult(request, r, codec);
      } catch (InterruptedException e) {
        answer.cancel(false);
        Thread.currentThread().interrupt();
        throw new AssertionError(request + ": interrupted while waiting for the answer", e);
      } catch (TimeoutException e) {
        answer.cancel(false);
        throw new AssertionError(request + ": no answer within " + timeout, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TimeoutException) {
          throw new AssertionError(request + ": no answer within " + timeout, cause);
        }
        if (cause instanceof ConnectionClosedException) {
          throw new AssertionError(
              request + ": the connection ended before the answer: " + cause.getMessage(), cause);
        }
        throw new AssertionError(request + ": failed: " + cause, cause);
      }
    }
  }

  /** How to answer the server's requests of one type; each method returns the tester. */
  public final class AnswerSpec {

    private final long rqType;

    private AnswerSpec(long rqType) {
      this.rqType = rqType;
    }

    /** Answer ok, flags 0, no payload. */
    public PacketStreamTester respondOk() {
      return respond(r -> Response.empty());
    }

    /** Answer ok with {@code flags}. */
    public PacketStreamTester respondOk(long flags) {
      return respond(r -> Response.ok(flags));
    }

    /** Answer ok with {@code payload}: bytes, text, or an object for the codec. */
    public PacketStreamTester respondOk(Object payload) {
      byte[] bytes = Payloads.encode(payload, codec);
      return respond(r -> Response.ok(bytes.clone()));
    }

    /** Answer not-ok with {@code text}. */
    public PacketStreamTester respondNotOk(String text) {
      return respond(r -> Response.failure(text));
    }

    /** Answer with what {@code answer} makes of each request; it runs on a connection thread. */
    public PacketStreamTester respond(Function<ReceivedRequest, Response> answer) {
      answers.put(rqType, Objects.requireNonNull(answer, "answer"));
      return PacketStreamTester.this;
    }
  }

  /** A request the server sent to the tester. */
  public static final class ReceivedRequest {

    private final long channel;
    private final long rqType;
    private final long flags;
    private final byte[] payload;
    private final @Nullable PayloadCodec codec;

    ReceivedRequest(
        long channel, long rqType, long flags, byte[] payload, @Nullable PayloadCodec codec) {
      this.channel = channel;
      this.rqType = rqType;
      this.flags = flags;
      this.payload = payload;
      this.codec = codec;
    }

    /** The channel it came on. */
    public long channel() {
      return channel;
    }

    /** Its request type. */
    public long rqType() {
      return rqType;
    }

    /** Its flags. */
    public long flags() {
      return flags;
    }

    /** A copy of its payload. */
    public byte[] payloadBytes() {
      return payload.clone();
    }

    /** Its payload as UTF-8 text. */
    public String payloadText() {
      return (String) Payloads.decode(payload, String.class, codec, "the payload");
    }

    /** Its payload read as {@code type}: bytes, text, or through the codec. */
    public <T> T payload(Class<T> type) {
      return type.cast(Payloads.decode(payload, type, codec, "the payload of " + this));
    }

    /** Its payload read as a generic type, such as {@code List<String>}. */
    @SuppressWarnings("unchecked")
    public <T> T payload(ParameterizedTypeReference<T> type) {
      return (T) Payloads.decode(payload, type.getType(), codec, "the payload of " + this);
    }

    /** Asserts its flags. */
    public ReceivedRequest assertFlags(long expected) {
      if (flags != expected) {
        throw new AssertionError(
            "expected flags " + expected + " but got " + flags + " on " + this);
      }
      return this;
    }

    /** Asserts its payload: equal bytes, text, or an equal object once read as its class. */
    public ReceivedRequest assertPayload(Object expected) {
      if (!Payloads.matches(payload, expected, codec, "the payload of " + this)) {
        throw new AssertionError(
            "expected payload "
                + shown(expected)
                + " but got "
                + Payloads.quote(payload)
                + " on "
                + this);
      }
      return this;
    }

    @Override
    public String toString() {
      return "request type "
          + rqType
          + " (channel "
          + channel
          + ", flags "
          + flags
          + ", payload "
          + Payloads.quote(payload)
          + ")";
    }
  }

  /** The answer to one exchange, with assertions that return it for chaining. */
  public static final class ExchangeResult {

    private final String request;
    private final Response response;
    private final @Nullable PayloadCodec codec;

    ExchangeResult(String request, Response response, @Nullable PayloadCodec codec) {
      this.request = request;
      this.response = response;
      this.codec = codec;
    }

    /** The answer as the core gives it. */
    public Response response() {
      return response;
    }

    /** Whether the answer is ok. */
    public boolean ok() {
      return response.ok();
    }

    /** The answer's flags. */
    public long flags() {
      return response.flags();
    }

    /** A copy of the answer's payload. */
    public byte[] payloadBytes() {
      return response.payload().clone();
    }

    /** The answer's payload as UTF-8 text. */
    public String payloadText() {
      return response.text();
    }

    /** The answer's payload read as {@code type}: bytes, text, or through the codec. */
    public <T> T payload(Class<T> type) {
      return type.cast(
          Payloads.decode(response.payload(), type, codec, "the answer to " + request));
    }

    /** The answer's payload read as a generic type, such as {@code List<String>}. */
    @SuppressWarnings("unchecked")
    public <T> T payload(ParameterizedTypeReference<T> type) {
      return (T)
          Payloads.decode(response.payload(), type.getType(), codec, "the answer to " + request);
    }

    /** Asserts that the answer is ok. */
    public ExchangeResult assertOk() {
      if (!response.ok()) {
        throw new AssertionError(request + ": expected an ok answer but got " + describe());
      }
      return this;
    }

    /** Asserts that the answer is not ok. */
    public ExchangeResult assertNotOk() {
      if (response.ok()) {
        throw new AssertionError(request + ": expected a not-ok answer but got " + describe());
      }
      return this;
    }

    /** Asserts the answer's flags. */
    public ExchangeResult assertFlags(long expected) {
      if (response.flags() != expected) {
        throw new AssertionError(
            request + ": expected flags " + expected + " but got " + describe());
      }
      return this;
    }

    /**
     * Asserts the answer's payload: equal bytes, text, or an equal object once read as its class.
     */
    public ExchangeResult assertPayload(Object expected) {
      if (!Payloads.matches(response.payload(), expected, codec, "the answer to " + request)) {
        throw new AssertionError(
            request + ": expected payload " + shown(expected) + " but got " + describe());
      }
      return this;
    }

    private String describe() {
      return (response.ok() ? "ok" : "not-ok")
          + ", flags "
          + response.flags()
          + ", payload "
          + Payloads.quote(response.payload());
    }

    @Override
    public String toString() {
      return request + " answered " + describe();
    }
  }

  private static String shown(Object expected) {
    if (expected instanceof byte[] bytes) {
      return Payloads.quote(bytes);
    }
    return expected instanceof String ? "\"" + expected + "\"" : String.valueOf(expected);
  }
}
