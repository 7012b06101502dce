package io.packetstream.connection;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.packetstream.connection.RecordingListener.Finished;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.wire.Packet;
import io.packetstream.wire.PacketCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PacketConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void stopTimer() {
    TIMER.shutdownNow();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static Response call(PacketConnection c, long rqType, long flags, byte[] payload)
      throws Exception {
    return c.submit(rqType, flags, payload).get(10, TimeUnit.SECONDS);
  }

  /** Serves every kind of result the original's handlers can give. */
  private static Reply everyKind(Request rq) {
    switch ((int) rq.rqType()) {
      case 0:
        return Response.empty();
      case 1:
        return Response.ok(0x2A);
      case 2:
        return Response.ok(rq.payload());
      case 3:
        return Response.ok("héllo wörld");
      case 4:
        return Response.ok(rq.flags(), rq.payload());
      case 5:
        throw new IllegalStateException("boom");
      case 6:
        throw new RequestFailedException(9, bytes("chosen failure"));
      case 7:
        return Reply.later(CompletableFuture.supplyAsync(() -> Response.ok("later")));
      case 8:
        return Reply.later(CompletableFuture.failedFuture(new IllegalStateException("late boom")));
      case 9:
        return Response.failure(3, bytes("explicit"));
      default:
        throw new IllegalArgumentException("unknown request type " + rq.rqType());
    }
  }

  @Test
  void answersEveryKindOfHandlerResult() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(PacketConnectionTest::everyKind))) {
      PacketConnection c = pair.left;
      assertThat(call(c, 0, 0, bytes("x"))).isEqualTo(new Response(true, 0, new byte[0]));
      assertThat(call(c, 1, 0, new byte[0])).isEqualTo(new Response(true, 0x2A, new byte[0]));
      assertThat(call(c, 2, 0, bytes("abc"))).isEqualTo(new Response(true, 0, bytes("abc")));
      assertThat(call(c, 3, 0, new byte[0]).text()).isEqualTo("héllo wörld");
      assertThat(call(c, 4, (1 << 20) + 5, bytes("f")))
          .isEqualTo(new Response(true, (1 << 20) + 5, bytes("f")));
      assertThat(call(c, 5, 0, new byte[0])).isEqualTo(Response.failure());
      assertThat(call(c, 5, 0, new byte[0]).text()).isEqualTo("exception during handler");
      assertThat(call(c, 6, 0, new byte[0]))
          .isEqualTo(new Response(false, 9, bytes("chosen failure")));
      assertThat(call(c, 7, 0, new byte[0])).isEqualTo(Response.ok("later"));
      assertThat(call(c, 8, 0, new byte[0])).isEqualTo(Response.failure());
      assertThat(call(c, 9, 0, new byte[0])).isEqualTo(new Response(false, 3, bytes("explicit")));
      assertThat(call(c, 4242, 0, new byte[0]).text()).isEqualTo("exception during handler");
    }
  }

  @Test
  void refusesRequestsWithoutHandlerOrOnUnknownChannels() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(5, rq -> Response.ok("channel " + rq.channel())))) {
      PacketConnection c = pair.left;
      assertThat(c.call(0, 0, 0, new byte[0], WAIT))
          .isEqualTo(Response.failure("no request handler"));
      assertThat(c.call(1, 0, 0, new byte[0], WAIT))
          .isEqualTo(Response.failure("unknown channel %d"));
      assertThat(c.call(5, 0, 0, new byte[0], WAIT)).isEqualTo(Response.ok("channel 5"));
      // and the peer that has no handler still answers nothing it cannot: our side has none either
      assertThat(pair.right.call(0, 0, 0, new byte[0], WAIT).text())
          .isEqualTo("no request handler");
    }
  }

  @Test
  void decodesOkResponsesAndFailsOnNotOk() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(PacketConnectionTest::everyKind))) {
      CompletableFuture<String> text =
          pair.left.submit(4, 5, bytes("hi"), (f, p) -> f + ":" + new String(p, UTF_8));
      assertThat(text.get(10, TimeUnit.SECONDS)).isEqualTo("5:hi");
      CompletableFuture<String> failed = pair.left.submit(6, 0, new byte[0], (f, p) -> "never");
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RequestFailedException.class)
          .cause()
          .satisfies(e -> assertThat(((RequestFailedException) e).response().flags()).isEqualTo(9));
    }
  }

  @Test
  void bothEndsRequestAtOnceAndAHandlerCallsItsRequesterBack() throws Exception {
    RequestHandler callback =
        rq ->
            Reply.later(
                rq.connection()
                    .submit(1, rq.flags(), rq.payload())
                    .thenApply(r -> Response.ok(r.payload())));
    RequestHandler blockingCallback =
        rq -> Response.ok(rq.connection().call(1, 0, rq.payload()).payload());
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().handler(rq -> Response.ok(rq.flags(), rq.payload())),
            PacketConnection.builder()
                .handler(
                    rq -> rq.rqType() == 8 ? callback.handle(rq) : blockingCallback.handle(rq)))) {
      List<CompletableFuture<Response>> calls = new ArrayList<>();
      List<CompletableFuture<Response>> reverse = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(pair.left.submit(i % 2 == 0 ? 8 : 9, i, bytes("cb" + i)));
        reverse.add(pair.right.submit(1, i, bytes("rv" + i)));
      }
      for (int i = 0; i < 200; i++) {
        assertThat(calls.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok("cb" + i));
        assertThat(reverse.get(i).get(10, TimeUnit.SECONDS))
            .isEqualTo(new Response(true, i, bytes("rv" + i)));
      }
    }
  }

  @Test
  void completesOutOfOrderWhenHandlersFinishOutOfOrder() throws Exception {
    RequestHandler delay =
        rq -> {
          long ms = Long.parseLong(rq.text());
          CompletableFuture<Response> done = new CompletableFuture<>();
          TIMER.schedule(() -> done.complete(Response.ok(rq.payload())), ms, TimeUnit.MILLISECONDS);
          return Reply.later(done);
        };
    try (ConnectedPair pair =
        new ConnectedPair(PacketConnection.builder(), PacketConnection.builder().handler(delay))) {
      List<String> order = new CopyOnWriteArrayList<>();
      CompletableFuture<Response> slow = pair.left.submit(0, 0, bytes("300"));
      CompletableFuture<Response> fast = pair.left.submit(0, 0, bytes("10"));
      CompletableFuture<Void> slowSeen = slow.thenRun(() -> order.add("slow"));
      CompletableFuture<Void> fastSeen = fast.thenRun(() -> order.add("fast"));
      CompletableFuture.allOf(slowSeen, fastSeen).get(10, TimeUnit.SECONDS);
      assertThat(order).containsExactly("fast", "slow");
    }
  }

  @Test
  void pipelines2000RequestsThatCompleteOutOfOrder() throws Exception {
    RequestHandler shuffled =
        rq -> {
          CompletableFuture<Response> done = new CompletableFuture<>();
          TIMER.schedule(
              () -> done.complete(Response.ok(rq.flags(), rq.payload())),
              (rq.flags() * 7919) % 20,
              TimeUnit.MILLISECONDS);
          return Reply.later(done);
        };
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(shuffled).maxConcurrentRequests(4096))) {
      List<CompletableFuture<Response>> all = new ArrayList<>();
      List<Long> order = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 2000; i++) {
        long n = i;
        all.add(pair.left.submit(0, i, bytes("p" + i)).whenComplete((r, e) -> order.add(n)));
      }
      for (int i = 0; i < 2000; i++) {
        assertThat(all.get(i).get(10, TimeUnit.SECONDS))
            .isEqualTo(new Response(true, i, bytes("p" + i)));
      }
      assertThat(order).hasSize(2000).isNotEqualTo(order.stream().sorted().toList());
    }
  }

  @Test
  void numbersTagsFromTwoUpwardsPerChannel() throws Exception {
    RecordingListener seen = new RecordingListener();
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().listener(seen),
            PacketConnection.builder()
                .handler(rq -> Response.empty())
                .handler(3, rq -> Response.empty()))) {
      for (int i = 0; i < 3; i++) {
        pair.left.call(0, 0, 0, new byte[0], WAIT);
        pair.left.call(3, 0, 0, new byte[0], WAIT);
      }
    }
    assertThat(seen.started)
        .containsExactly(
            "OUTBOUND 0/2",
            "OUTBOUND 3/2",
            "OUTBOUND 0/3",
            "OUTBOUND 3/3",
            "OUTBOUND 0/4",
            "OUTBOUND 3/4");
  }

  @Test
  void reportsEveryRequestStartAndEndExactlyOnce() throws Exception {
    RecordingListener left = new RecordingListener();
    RecordingListener right = new RecordingListener();
    CountDownLatch hold = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().listener(left),
            PacketConnection.builder()
                .listener(right)
                .handler(
                    rq -> {
                      if (rq.rqType() == 2) {
                        hold.await(10, TimeUnit.SECONDS);
                      }
                      return rq.rqType() == 1 ? Response.failure() : Response.empty();
                    }))) {
      call(pair.left, 0, 0, new byte[0]);
      call(pair.left, 1, 0, new byte[0]);
      CompletableFuture<Response> timesOut =
          pair.left.submit(0, 2, 0, new byte[0], Duration.ofMillis(50));
      assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TimeoutException.class);
      CompletableFuture<Response> cancelled = pair.left.submit(2, 0, new byte[0]);
      cancelled.cancel(false);
      hold.countDown();
      await().atMost(WAIT).until(() -> right.finished.size() == 4);
    }
    assertThat(left.finished)
        .extracting(Finished::outcome)
        .containsExactlyInAnyOrder(Outcome.OK, Outcome.FAILED, Outcome.TIMEOUT, Outcome.CANCELLED);
    assertThat(left.started).hasSize(4);
    assertThat(right.finished).extracting(Finished::direction).containsOnly(Direction.INBOUND);
    assertThat(right.finished)
        .extracting(Finished::outcome)
        .containsExactlyInAnyOrder(Outcome.OK, Outcome.FAILED, Outcome.OK, Outcome.OK);
    assertThat(left.opened).isEqualTo(1);
    await().atMost(WAIT).until(() -> left.closed.size() == 1);
  }

  @Test
  void reportsARequestsStartBeforeItsEnd() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    TrafficListener slowToSeeStarts =
        new TrafficListener() {
          @Override
          public void requestStarted(
              PacketConnection c, Direction d, long channel, long tag, long type) {
            // dawdles long enough for the answer to come back if the request were already out
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            events.add("start " + tag);
          }

          @Override
          public void requestFinished(
              PacketConnection c,
              Direction d,
              long channel,
              long tag,
              long type,
              Outcome outcome,
              long nanos) {
            events.add("end " + tag);
          }
        };
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().listener(slowToSeeStarts),
            PacketConnection.builder().handler(rq -> Response.empty()))) {
      for (int i = 0; i < 5; i++) {
        call(pair.left, 0, 0, new byte[0]);
      }
      await().atMost(WAIT).until(() -> events.size() == 10);
    }
    assertThat(events)
        .containsExactly(
            "start 2", "end 2", "start 3", "end 3", "start 4", "end 4", "start 5", "end 5",
            "start 6", "end 6");
  }

  @Test
  void ticksForEverySentAndReceivedPacket() throws Exception {
    List<String> ticks = new CopyOnWriteArrayList<>();
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().tick(ticks::add),
            PacketConnection.builder().handler(rq -> Response.empty()))) {
      call(pair.left, 0, 0, new byte[0]);
      pair.left.close();
    }
    assertThat(ticks).startsWith(">Q", "<A").contains(">ERQ", ">EOF");
  }

  @Test
  void refusesTheFloodBeyondItsLimitsAndServesTheRest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .maxConcurrentRequests(2)
                .maxQueuedRequests(3)
                .handler(
                    rq -> {
                      release.await(10, TimeUnit.SECONDS);
                      return Response.ok(rq.payload());
                    }))) {
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        all.add(pair.left.submit(0, 0, bytes("r" + i)));
      }
      // the three beyond 2 running + 3 queued are refused at once, while the others still wait
      for (int i = 5; i < 8; i++) {
        Response refused = all.get(i).get(10, TimeUnit.SECONDS);
        assertThat(refused.ok()).isFalse();
        assertThat(refused.text())
            .contains("too many requests", "maxConcurrentRequests=2", "maxQueuedRequests=3");
      }
      assertThat(all.subList(0, 5)).noneMatch(CompletableFuture::isDone);
      release.countDown();
      for (int i = 0; i < 5; i++) {
        assertThat(all.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok(bytes("r" + i)));
      }
    }
  }

  @Test
  void refusesARequestWhosePayloadWouldPassTheQueuedBytesBudget() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .maxConcurrentRequests(1)
                .maxQueuedRequests(100)
                .maxQueuedRequestBytes(1000)
                .handler(
                    rq -> {
                      release.await(10, TimeUnit.SECONDS);
                      return Response.ok(rq.payload());
                    }))) {
      CompletableFuture<Response> running = pair.left.submit(0, 0, new byte[5000]);
      await().atMost(WAIT).until(() -> pair.right.runningRequests() == 1);
      CompletableFuture<Response> first = pair.left.submit(0, 0, new byte[400]);
      CompletableFuture<Response> second = pair.left.submit(0, 0, new byte[400]);
      Response refused = pair.left.submit(0, 0, new byte[400]).get(10, TimeUnit.SECONDS);
      assertThat(refused.ok()).isFalse();
      assertThat(refused.text())
          .startsWith("too many requests")
          .contains("800 bytes", "maxQueuedRequestBytes=1000");
      assertThat(pair.right.queuedRequests()).isEqualTo(2);
      release.countDown();
      assertThat(running.get(10, TimeUnit.SECONDS).payload()).hasSize(5000);
      assertThat(first.get(10, TimeUnit.SECONDS).payload()).hasSize(400);
      assertThat(second.get(10, TimeUnit.SECONDS).payload()).hasSize(400);
      // the budget is free again once the queue has run
      assertThat(pair.left.submit(0, 0, new byte[900]).get(10, TimeUnit.SECONDS).ok()).isTrue();
    }
  }

  @Test
  void closingTheResponderLetsRunningHandlersAnswerFirst() throws Exception {
    CountDownLatch started = new CountDownLatch(5);
    CountDownLatch release = new CountDownLatch(1);
    // without ERQ, so that the requester does not know of the close and sends one more request
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .sendErq(false)
                .handler(
                    rq -> {
                      started.countDown();
                      release.await(10, TimeUnit.SECONDS);
                      return Response.ok(rq.payload());
                    }))) {
      List<CompletableFuture<Response>> inFlight = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        inFlight.add(pair.left.submit(0, 0, bytes("f" + i)));
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(pair.right::close, r -> new Thread(r).start());
      await().atMost(WAIT).until(() -> pair.right.state() == ConnectionState.DRAINING);
      // a request arriving now is refused as the original refuses it when closing
      assertThat(call(pair.left, 0, 0, new byte[0]).text())
          .isEqualTo("rejecting request: runstate.cancelled");
      release.countDown();
      closing.get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        assertThat(inFlight.get(i).get(10, TimeUnit.SECONDS))
            .isEqualTo(Response.ok(bytes("f" + i)));
      }
      assertThat(pair.right.state()).isEqualTo(ConnectionState.CLOSED);
      await().atMost(WAIT).until(() -> pair.left.state() == ConnectionState.CLOSED);
    }
  }

  @Test
  void closingTheRequesterWaitsForItsAnswers() throws Exception {
    RequestHandler slow =
        rq -> {
          CompletableFuture<Response> done = new CompletableFuture<>();
          TIMER.schedule(() -> done.complete(Response.ok("late")), 200, TimeUnit.MILLISECONDS);
          return Reply.later(done);
        };
    try (ConnectedPair pair =
        new ConnectedPair(PacketConnection.builder(), PacketConnection.builder().handler(slow))) {
      CompletableFuture<Response> pending = pair.left.submit(0, 0, new byte[0]);
      pair.left.close();
      assertThat(pending).isCompletedWithValue(Response.ok("late"));
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
      assertThatThrownBy(() -> pair.left.submit(0, 0, new byte[0]).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ConnectionClosedException.class);
    }
  }

  /**
   * A request still unanswered when its own connection's close timeout runs out fails saying so: it
   * said only "NAME closed", which read as if the call had been made on a closed connection.
   */
  @Test
  void aRequestTheCloseTimeoutCutsOffSaysSo() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().closeTimeout(Duration.ofMillis(200)),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      never.await();
                      return Response.empty();
                    }))) {
      CompletableFuture<Response> stuck = pair.left.submit(0, 0, new byte[0]);
      await().atMost(WAIT).until(() -> pair.right.runningRequests() == 1);
      pair.left.close();
      assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining(
              pair.left.name()
                  + " closed when its close timeout of 200ms ran out,"
                  + " before the response arrived");
      never.countDown();
    }
  }

  @Test
  void aHungHandlerCannotKeepTheConnectionOpenPastTheCloseTimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .closeTimeout(Duration.ofMillis(300))
                .handler(
                    rq -> {
                      never.await();
                      return Response.empty();
                    }))) {
      CompletableFuture<Response> stuck = pair.left.submit(0, 0, new byte[0]);
      await().atMost(WAIT).until(() -> pair.right.runningRequests() == 1);
      long start = System.nanoTime();
      pair.right.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
      assertThat(pair.right.state()).isEqualTo(ConnectionState.CLOSED);
      // the requester learns from the peer's EOF that no answer will come
      assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining("peer sent EOF");
      never.countDown();
    }
  }

  @Test
  void closeFromTheReaderThreadDoesNotWaitForItself() throws Exception {
    CountDownLatch registered = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().closeTimeout(Duration.ofSeconds(10)),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      registered.await(10, TimeUnit.SECONDS);
                      return Response.ok("answer");
                    }))) {
      List<String> closedOn = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> closed =
          pair.left
              .submit(0, 0, new byte[0])
              .thenRun(
                  () -> {
                    closedOn.add(Thread.currentThread().getName());
                    pair.left.close();
                  });
      registered.countDown();
      closed.get(5, TimeUnit.SECONDS);
      pair.left.termination().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(closedOn).singleElement().asString().startsWith("packetstream-io-");
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }

  @Test
  void closeFromInsideAHandlerDoesNotWaitForThatHandler() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .closeTimeout(Duration.ofSeconds(10))
                .handler(
                    rq -> {
                      rq.connection().close();
                      return Response.ok("bye");
                    }))) {
      CompletableFuture<Response> answer = pair.left.submit(0, 0, new byte[0]);
      pair.right.termination().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(pair.right.state()).isEqualTo(ConnectionState.CLOSED);
      // the shutdown was graceful: the handler's answer went out before the EOF
      assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(Response.ok("bye"));
    }
  }

  @Test
  void neverSendsARequestAfterItsOwnErq() throws Exception {
    // a listener that dawdles as a request starts widens any gap between submit's check and
    // queueing
    TrafficListener dawdling =
        new TrafficListener() {
          @Override
          public void requestStarted(
              PacketConnection c, Direction d, long channel, long tag, long type) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
          }
        };
    for (int round = 0; round < 20; round++) {
      Pipe toPeer = Pipe.open();
      Pipe fromPeer = Pipe.open();
      PacketConnection c =
          PacketConnection.builder()
              .closeTimeout(Duration.ZERO)
              .listener(dawdling)
              .open(fromPeer.source(), toPeer.sink());
      // blocking tasks each get a thread of their own (new Thread(r).start()): CompletableFuture's
      // default pool is a single worker on two cores from Java 21, which one blocked task holds
      CompletableFuture<List<Packet>> seen =
          CompletableFuture.supplyAsync(
              () -> {
                List<Packet> packets = new ArrayList<>();
                try (InputStream in = Channels.newInputStream(toPeer.source())) {
                  PacketCodec codec = new PacketCodec();
                  Packet p;
                  while ((p = codec.read(in)) != null && !p.isEof()) {
                    packets.add(p);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return packets;
              },
              r -> new Thread(r).start());
      List<CompletableFuture<Void>> submitters = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        submitters.add(
            CompletableFuture.runAsync(
                () -> {
                  while (!c.submit(0, 0, new byte[0]).isCompletedExceptionally()) {
                    // submit until the connection refuses
                  }
                },
                r -> new Thread(r).start()));
      }
      await().atMost(WAIT).until(() -> c.packetsSent() > 10);
      c.close();
      CompletableFuture.allOf(submitters.toArray(CompletableFuture[]::new))
          .get(10, TimeUnit.SECONDS);
      List<Packet> packets = seen.get(10, TimeUnit.SECONDS);
      int erq = packets.indexOf(Packet.ERQ);
      assertThat(erq).as("ERQ sent").isNotNegative();
      assertThat(packets.subList(erq + 1, packets.size())).as("packets after ERQ").isEmpty();
      toPeer.source().close();
      toPeer.sink().close();
      fromPeer.source().close();
      fromPeer.sink().close();
    }
  }

  @Test
  void anInterruptedCallCancelsItsRequestAndKeepsTheInterrupt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      release.await(10, TimeUnit.SECONDS);
                      return Response.empty();
                    }))) {
      CompletableFuture<Throwable> thrown = new CompletableFuture<>();
      CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  pair.left.call(0, 0, new byte[0]);
                  thrown.complete(null);
                } catch (Exception e) {
                  thrown.complete(e);
                }
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
              });
      caller.start();
      await().atMost(WAIT).until(() -> pair.left.pendingRequests() == 1);
      caller.interrupt();
      assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
      assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pair.left.pendingRequests()).isZero();
      release.countDown();
      caller.join(10_000);
    }
  }

  @Test
  void refusesAFrameLengthLimitThatWouldOverflow() {
    assertThatThrownBy(() -> PacketConnection.builder().maxFrameLength(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LARGEST_MAX_FRAME_LENGTH");
    assertThat(PacketConnection.builder().maxFrameLength(PacketCodec.LARGEST_MAX_FRAME_LENGTH))
        .isNotNull();
  }

  @Test
  void rejectsARequestBeyondMaxPendingRequests() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().maxPendingRequests(2),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      release.await(10, TimeUnit.SECONDS);
                      return Response.empty();
                    }))) {
      CompletableFuture<Response> first = pair.left.submit(0, 0, new byte[0]);
      CompletableFuture<Response> second = pair.left.submit(0, 0, new byte[0]);
      CompletableFuture<Response> third = pair.left.submit(0, 0, new byte[0]);
      assertThat(third)
          .failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class)
          .withMessageContaining("maxPendingRequests=2");
      assertThat(pair.left.pendingRequests()).isEqualTo(2);
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Response.empty());
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(Response.empty());
      // the slots are free again
      assertThat(call(pair.left, 0, 0, new byte[0])).isEqualTo(Response.empty());
    }
  }

  @Test
  void failsARequestWithTheBuildersDefaultTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().requestTimeout(Duration.ofMillis(100)),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      release.await(10, TimeUnit.SECONDS);
                      return Response.empty();
                    }))) {
      CompletableFuture<Response> late = pair.left.submit(0, 0, new byte[0]);
      assertThat(late)
          .failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(TimeoutException.class);
      assertThatThrownBy(() -> pair.left.call(0, 0, new byte[0]))
          .isInstanceOf(TimeoutException.class);
      // the timed-out request leaves the table just after its future fails, on the timer's thread
      await().atMost(WAIT).until(() -> pair.left.pendingRequests() == 0);
      release.countDown();
    }
  }

  @Test
  void abortFailsPendingRequestsAtOnce() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      never.await(10, TimeUnit.SECONDS);
                      return Response.empty();
                    }))) {
      CompletableFuture<Response> pending = pair.left.submit(0, 0, new byte[0]);
      pair.left.abort();
      assertThatThrownBy(() -> pending.get(1, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining("aborted");
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
      never.countDown();
    }
  }

  @Test
  void nestedOpensNeedAsManyCloses() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(rq -> Response.empty()))) {
      assertThat(pair.left.open()).isSameAs(pair.left);
      pair.left.close();
      assertThat(pair.left.state()).isEqualTo(ConnectionState.OPEN);
      assertThat(call(pair.left, 0, 0, new byte[0]).ok()).isTrue();
      pair.left.close();
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
      assertThatThrownBy(pair.left::open).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void refusesRequestsAfterThePeerSaidEndOfRequests() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().handler(rq -> Response.empty()),
            PacketConnection.builder()
                .handler(
                    rq -> {
                      started.countDown();
                      release.await(10, TimeUnit.SECONDS);
                      return Response.empty();
                    }))) {
      CompletableFuture<Response> running = pair.left.submit(0, 0, new byte[0]);
      // running on the right before it closes: a request that came after would be refused
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(pair.right::close, r -> new Thread(r).start());
      await().atMost(WAIT).until(pair.left::peerEndedRequests);
      // the peer would refuse it: submit says so at once, without a round trip
      assertThat(pair.left.submit(0, 0, new byte[0]))
          .failsWithin(WAIT)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(ConnectionClosedException.class)
          .withMessageContaining("the peer ended requests (ERQ)");
      release.countDown();
      assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(Response.empty());
      closing.get(10, TimeUnit.SECONDS);
      assertThat(pair.left.peerEndedRequests()).isTrue();
    }
  }

  @Test
  void keepsStatisticsAndState() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder(),
            PacketConnection.builder().handler(rq -> Response.ok(rq.payload())))) {
      assertThat(pair.left.state()).isEqualTo(ConnectionState.OPEN);
      assertThat(pair.left.openedAt()).isPresent();
      call(pair.left, 0, 0, new byte[100]);
      assertThat(pair.left.packetsSent()).isEqualTo(1);
      assertThat(pair.left.bytesSent())
          .isEqualTo(PacketCodec.frameLength(Packet.request(0, 2, 0, 0, new byte[100])));
      await().atMost(WAIT).until(() -> pair.left.packetsReceived() == 1);
      assertThat(pair.left.bytesReceived())
          .isEqualTo(PacketCodec.frameLength(Packet.response(0, 2, true, 0, new byte[100])));
      assertThat(pair.left.lastReceivedAt()).isPresent();
      assertThat(pair.left.pendingRequests()).isZero();
      assertThat(pair.left.toString()).contains("left", "open");
    }
  }

  @Test
  void worksWithAPacketGrace() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().packetGrace(Duration.ofMillis(5)),
            PacketConnection.builder()
                .packetGrace(Duration.ofMillis(5))
                .handler(rq -> Response.ok(rq.payload())))) {
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        all.add(pair.left.submit(0, 0, bytes("g" + i)));
      }
      for (int i = 0; i < 100; i++) {
        assertThat(all.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Response.ok(bytes("g" + i)));
      }
      pair.left.close();
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }

  @Test
  void joinReturnsWhenThePeerEndsTheStream() throws Exception {
    try (ConnectedPair pair =
        new ConnectedPair(PacketConnection.builder(), PacketConnection.builder())) {
      assertThat(pair.left.join(Duration.ofMillis(50))).isFalse();
      pair.right.close();
      assertThat(pair.left.join(WAIT)).isTrue();
      pair.left.join();
      assertThat(pair.left.termination().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
      assertThat(pair.left.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }

  @Test
  void aThrowingListenerHarmsNeitherTheConnectionNorOtherListeners() throws Exception {
    RecordingListener healthy = new RecordingListener();
    TrafficListener throwing =
        new TrafficListener() {
          @Override
          public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void requestFinished(
              PacketConnection c,
              Direction d,
              long ch,
              long tag,
              long type,
              Outcome outcome,
              long nanos) {
            throw new IllegalStateException("listener bug");
          }
        };
    try (ConnectedPair pair =
        new ConnectedPair(
            PacketConnection.builder().listener(throwing).listener(healthy),
            PacketConnection.builder().listener(throwing).handler(rq -> null))) {
      assertThat(call(pair.left, 0, 0, new byte[0])).isEqualTo(Response.empty());
      assertThat(healthy.received).hasSize(1);
      await().atMost(WAIT).until(() -> healthy.finished.size() == 1);
    }
  }
}
