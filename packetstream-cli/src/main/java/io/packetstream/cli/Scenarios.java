package io.packetstream.cli;

import static io.packetstream.cli.ConformanceHandler.BIG;
import static io.packetstream.cli.ConformanceHandler.CALLBACK;
import static io.packetstream.cli.ConformanceHandler.DELAY;
import static io.packetstream.cli.ConformanceHandler.ECHO;
import static io.packetstream.cli.ConformanceHandler.FAIL;
import static io.packetstream.cli.ConformanceHandler.FLAGS_ONLY;
import static io.packetstream.cli.ConformanceHandler.NONE;
import static io.packetstream.cli.ConformanceHandler.REVERSE;
import static io.packetstream.cli.ConformanceHandler.TEXT;
import static io.packetstream.cli.ScenarioContext.check;
import static io.packetstream.cli.ScenarioContext.expect;
import static io.packetstream.cli.ScenarioContext.expectFailure;
import static io.packetstream.cli.ScenarioContext.expectOk;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.connection.ConnectionState;
import io.packetstream.connection.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The conformance client's scenarios, in the order {@code --scenario all} runs them: one per
 * handler of the service, then the protocol's harder cases. Flags are checked only where
 * CONFORMANCE.md gives them; {@code delay}, {@code big} and {@code callback} may answer with any.
 */
final class Scenarios {

  static final int PIPELINED = 2000;

  /** Enough requests on one connection to push its tags past 128 and 16384 (they start at 2). */
  static final int TAG_REQUESTS = 16_500;

  static final long LARGE_FLAGS = (1L << 20) + 5;
  static final int CALLBACKS = 50;

  private Scenarios() {}

  static List<Scenario> all() {
    return List.of(
        new Scenario("reverse", Scenarios::reverse),
        new Scenario("echo", Scenarios::echo),
        new Scenario("fail", c -> expectFailure("fail", c.ask(FAIL, 0, bytes("x")))),
        new Scenario("delay", Scenarios::delay),
        new Scenario(
            "text",
            c ->
                expect(
                    "text",
                    c.ask(TEXT, 0, new byte[0]),
                    true,
                    0,
                    ConformanceHandler.TEXT_REPLY.getBytes(StandardCharsets.UTF_8))),
        new Scenario(
            "none", c -> expect("none", c.ask(NONE, 3, bytes("ignored")), true, 0, new byte[0])),
        new Scenario(
            "flags-only",
            c ->
                expect(
                    "flags-only",
                    c.ask(FLAGS_ONLY, 0, new byte[0]),
                    true,
                    ConformanceHandler.FLAGS_ONLY_FLAGS,
                    new byte[0])),
        new Scenario("big", Scenarios::big),
        new Scenario("callback", Scenarios::callback),
        new Scenario("unknown", Scenarios::unknown),
        new Scenario("echo-1mib", Scenarios::echo1MiB),
        new Scenario("pipelined-2000", Scenarios::pipelined),
        new Scenario("out-of-order", Scenarios::outOfOrder),
        new Scenario("concurrent-callbacks", Scenarios::concurrentCallbacks),
        new Scenario("tags-past-16384", Scenarios::tags),
        new Scenario(
            "large-flags",
            c -> {
              byte[] payload = bytes("large flags");
              expect(
                  "echo with flags 2^20+5",
                  c.ask(ECHO, LARGE_FLAGS, payload),
                  true,
                  LARGE_FLAGS,
                  payload);
            }),
        new Scenario("clean-shutdown", Scenarios::cleanShutdown));
  }

  private static void reverse(ScenarioContext c) throws Exception {
    byte[] payload = random(new SplittableRandom(), 100);
    expect(
        "reverse",
        c.ask(REVERSE, 0, payload),
        true,
        ConformanceHandler.REVERSE_FLAGS,
        ConformanceHandler.reversed(payload));
    expect(
        "reverse of nothing",
        c.ask(REVERSE, 0, new byte[0]),
        true,
        ConformanceHandler.REVERSE_FLAGS,
        new byte[0]);
  }

  private static void echo(ScenarioContext c) throws Exception {
    byte[] payload = random(new SplittableRandom(), 200);
    expect("echo", c.ask(ECHO, 7, payload), true, 7, payload);
    expect("echo of nothing", c.ask(ECHO, 0, new byte[0]), true, 0, new byte[0]);
  }

  private static void delay(ScenarioContext c) throws Exception {
    long start = System.nanoTime();
    Response r = c.ask(DELAY, 0, bytes("50"));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    check(r.ok(), "delay 50: expected ok, got " + r);
    check(r.text().equals("50"), "delay 50: expected the payload back, got " + r);
    check(ms >= 50, "delay 50: answered after " + ms + " ms");
  }

  private static void big(ScenarioContext c) throws Exception {
    for (int n : new int[] {0, 1, 251, 100_000}) {
      expectOk("big " + n, c.ask(BIG, 0, bytes(Integer.toString(n))), ConformanceHandler.big(n));
    }
  }

  private static void callback(ScenarioContext c) throws Exception {
    long before = c.echoesServed();
    byte[] payload = random(new SplittableRandom(), 64);
    expectOk("callback", c.ask(CALLBACK, 5, payload), payload);
    check(c.echoesServed() > before, "callback: answered without asking this client for the echo");
  }

  private static void unknown(ScenarioContext c) throws Exception {
    expectFailure("type 9", c.ask(9, 0, bytes("?")));
    expectFailure("type 1000000", c.ask(1_000_000, 0, new byte[0]));
  }

  private static void echo1MiB(ScenarioContext c) throws Exception {
    byte[] payload = random(new SplittableRandom(), 1 << 20);
    expect("echo of 1 MiB", c.ask(ECHO, 1, payload), true, 1, payload);
  }

  /** 2000 requests of every quick kind, all sent before any answer is awaited. */
  private static void pipelined(ScenarioContext c) throws Exception {
    SplittableRandom random = new SplittableRandom();
    int[] types = {REVERSE, ECHO, FAIL, TEXT, NONE, FLAGS_ONLY, BIG};
    List<CompletableFuture<Response>> answers = new ArrayList<>(PIPELINED);
    List<Response> expected = new ArrayList<>(PIPELINED);
    BitSet anyFlags = new BitSet(PIPELINED); // big: CONFORMANCE.md gives no flags
    for (int i = 0; i < PIPELINED; i++) {
      int type = types[random.nextInt(types.length)];
      byte[] payload = random(random, random.nextInt(300));
      long flags = random.nextInt(1 << 16);
      Response want;
      switch (type) {
        case REVERSE:
          want =
              Response.ok(ConformanceHandler.REVERSE_FLAGS, ConformanceHandler.reversed(payload));
          break;
        case ECHO:
          want = Response.ok(flags, payload);
          break;
        case FAIL:
          want = null;
          break;
        case TEXT:
          want = Response.ok(ConformanceHandler.TEXT_REPLY);
          break;
        case NONE:
          want = Response.empty();
          break;
        case FLAGS_ONLY:
          want = Response.ok(ConformanceHandler.FLAGS_ONLY_FLAGS);
          break;
        default:
          int n = random.nextInt(2000);
          payload = bytes(Integer.toString(n));
          want = Response.ok(ConformanceHandler.big(n));
          anyFlags.set(i);
          break;
      }
      answers.add(c.submit(type, flags, payload));
      expected.add(want);
    }
    c.await(
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)), Duration.ofSeconds(30));
    for (int i = 0; i < PIPELINED; i++) {
      Response got = answers.get(i).join();
      Response want = expected.get(i);
      String what = "request " + i + " of " + PIPELINED;
      if (want == null) {
        expectFailure(what + " (fail)", got);
      } else if (anyFlags.get(i)) {
        expectOk(what + " (big)", got, want.payload());
      } else {
        expect(what, got, want.ok(), want.flags(), want.payload());
      }
    }
  }

  private static void outOfOrder(ScenarioContext c) throws Exception {
    Queue<String> order = new ConcurrentLinkedQueue<>();
    CompletableFuture<Response> slow = c.submit(DELAY, 0, bytes("300"));
    slow.whenComplete((r, e) -> order.add("300"));
    CompletableFuture<Response> quick = c.submit(DELAY, 0, bytes("10"));
    quick.whenComplete((r, e) -> order.add("10"));
    Response quickAnswer = c.await(quick, Duration.ofSeconds(10));
    Response slowAnswer = c.await(slow, Duration.ofSeconds(10));
    expectOk("delay 10", quickAnswer, bytes("10"));
    expectOk("delay 300", slowAnswer, bytes("300"));
    check(
        List.copyOf(order).equals(List.of("10", "300")),
        "expected delay 10 to complete before delay 300, got the order " + order);
  }

  private static void concurrentCallbacks(ScenarioContext c) throws Exception {
    long before = c.echoesServed();
    SplittableRandom random = new SplittableRandom();
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < CALLBACKS; i++) {
      byte[] payload = random(random, 1 + random.nextInt(100));
      payloads.add(payload);
      answers.add(c.submit(CALLBACK, i, payload));
    }
    c.await(
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)), Duration.ofSeconds(20));
    for (int i = 0; i < CALLBACKS; i++) {
      expectOk("callback " + i, answers.get(i).join(), payloads.get(i));
    }
    long served = c.echoesServed() - before;
    check(
        served >= CALLBACKS,
        "expected " + CALLBACKS + " echo requests from the service, got " + served);
  }

  /** Many echoes, at most 512 in flight, each carrying its own number and checked. */
  private static void tags(ScenarioContext c) throws Exception {
    Semaphore window = new Semaphore(512);
    AtomicReference<String> wrong = new AtomicReference<>();
    long limitMs = c.requestLimit().toMillis();
    for (int i = 0; i < TAG_REQUESTS && wrong.get() == null; i++) {
      if (!window.tryAcquire(limitMs, TimeUnit.MILLISECONDS)) {
        throw new ScenarioFailure("no answers for " + limitMs + " ms after " + i + " requests");
      }
      byte[] payload = ByteBuffer.allocate(8).putLong(i).array();
      long flags = i;
      int n = i;
      c.submit(ECHO, flags, payload)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  wrong.compareAndSet(
                      null, "request " + n + ": " + ConformanceClientCommand.describe(e));
                } else if (!r.ok()
                    || r.flags() != flags
                    || !java.util.Arrays.equals(r.payload(), payload)) {
                  wrong.compareAndSet(null, "request " + n + ": expected its own echo, got " + r);
                }
                window.release();
              });
    }
    if (!window.tryAcquire(512, limitMs, TimeUnit.MILLISECONDS)) {
      throw new ScenarioFailure("the last requests got no answer within " + limitMs + " ms");
    }
    check(wrong.get() == null, wrong.get());
  }

  /**
   * Closes with a request in flight: its answer must still arrive, the service must end its side
   * with EOF (seen as the packet itself: a close that gives up waiting for it also ends the
   * connection), and the connection must end cleanly, refusing requests afterwards.
   */
  private static void cleanShutdown(ScenarioContext c) throws Exception {
    CompletableFuture<Response> inFlight = c.submit(DELAY, 0, bytes("100"));
    c.connection.close();
    check(inFlight.isDone(), "close returned before the request in flight was answered");
    expectOk("request in flight at close", c.await(inFlight, Duration.ofSeconds(1)), bytes("100"));
    check(c.connection.join(Duration.ofSeconds(5)), "the service did not end its side (no EOF)");
    // a close that times out waiting for the service's EOF ends the connection all the same
    check(c.peerSentEof(), "the service never sent EOF (the connection ended without it)");
    check(
        c.connection.state() == ConnectionState.CLOSED,
        "expected the connection closed, it is "
            + c.connection.state()
            + c.connection.failure().map(f -> " (" + f + ")").orElse(""));
    try {
      c.submit(ECHO, 0, new byte[0]).get(1, TimeUnit.SECONDS);
      throw new ScenarioFailure("a request after close was sent");
    } catch (ExecutionException e) {
      check(
          e.getCause() instanceof ConnectionClosedException,
          "a request after close failed with "
              + e.getCause()
              + " instead of ConnectionClosedException");
    }
  }

  static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] random(SplittableRandom random, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) random.nextInt(256);
    }
    return out;
  }
}
