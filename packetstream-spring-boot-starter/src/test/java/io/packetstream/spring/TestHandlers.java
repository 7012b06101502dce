package io.packetstream.spring;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PacketReply;
import io.packetstream.spring.handler.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** One handler per argument and return kind the starter maps. */
public class TestHandlers {

  /** A JSON request body. */
  public record Greet(String name, int times) {}

  /** A JSON answer. */
  public record Greeting(String text) {}

  /** Holds type 30 until released, for shutdown tests. */
  public final CountDownLatch slowStarted = new CountDownLatch(1);

  public final CountDownLatch slowRelease = new CountDownLatch(1);

  @PacketHandler(1)
  byte[] echoBytes(byte[] payload) {
    return payload;
  }

  @PacketHandler(2)
  public String upper(String text) {
    return text.toUpperCase();
  }

  @PacketHandler(3)
  ByteBuffer reverse(ByteBuffer in) {
    byte[] out = new byte[in.remaining()];
    for (int i = out.length - 1; i >= 0; i--) {
      out[i] = in.get();
    }
    return ByteBuffer.wrap(out);
  }

  @PacketHandler(4)
  long nextFlags(@PacketFlags long flags) {
    return flags + 1;
  }

  @PacketHandler(5)
  int doubleIntFlags(@PacketFlags int flags) {
    return flags * 2;
  }

  @PacketHandler(6)
  void nothing() {}

  @PacketHandler(7)
  String context(RequestContext ctx) {
    return ctx.connectionName()
        + "|"
        + ctx.channel()
        + "|"
        + ctx.rqType()
        + "|"
        + ctx.flags()
        + "|"
        + ctx.remote().isPresent();
  }

  @PacketHandler(8)
  PacketReply reply(byte[] payload, @PacketFlags long flags) {
    return new PacketReply(flags * 2, payload);
  }

  @PacketHandler(9)
  Greeting json(Greet greet) {
    return new Greeting(("hello " + greet.name() + " ").repeat(greet.times()).trim());
  }

  @PacketHandler(10)
  CompletableFuture<String> async(String text) {
    return CompletableFuture.supplyAsync(() -> "async " + text);
  }

  @PacketHandler(11)
  CompletionStage<Greeting> asyncJson(Greet greet) {
    return CompletableFuture.supplyAsync(() -> new Greeting("later " + greet.name()));
  }

  @PacketHandler(12)
  String fails(String text) {
    throw new IllegalStateException("boom " + text);
  }

  @PacketHandler(13)
  String refuses() {
    throw new RequestFailedException(7, "nope".getBytes(StandardCharsets.UTF_8));
  }

  @PacketHandler(14)
  CompletableFuture<String> refusesLater() {
    return CompletableFuture.supplyAsync(
        () -> {
          throw new RequestFailedException(9, "not later".getBytes(StandardCharsets.UTF_8));
        });
  }

  /** Asks the requester back, over the same connection, and answers with what it said. */
  @PacketHandler(15)
  CompletionStage<String> callBack(String text, PacketConnection connection) {
    return connection
        .submit(2, 0, text.getBytes(StandardCharsets.UTF_8))
        .thenApply(r -> "peer said " + r.text());
  }

  @PacketHandler(16)
  Object dynamic(String kind) {
    switch (kind) {
      case "bytes":
        return new byte[] {1, 2};
      case "flags":
        return 42L;
      case "json":
        return new Greeting("dyn");
      default:
        return null;
    }
  }

  @PacketHandler(17)
  Response core(Request request) {
    return Response.failure(3, ("tag " + request.tag()).getBytes(StandardCharsets.UTF_8));
  }

  @PacketHandler(18)
  List<Greeting> many(List<Greet> greets) {
    return greets.stream().map(g -> new Greeting(g.name())).collect(Collectors.toList());
  }

  /** A Reply for later, declared as Object. */
  @PacketHandler(19)
  Object deferred(String text) {
    return Reply.later(
        CompletableFuture.supplyAsync(
            () -> Response.ok(7, ("deferred " + text).getBytes(StandardCharsets.UTF_8))));
  }

  @PacketHandler(20)
  CompletionStage<Void> laterNothing() {
    return CompletableFuture.runAsync(() -> {});
  }

  @PacketHandler(21)
  CompletableFuture<Integer> laterFlags(@PacketFlags int flags) {
    return CompletableFuture.supplyAsync(() -> flags + 100);
  }

  @PacketHandler(22)
  CompletionStage<byte[]> laterBytes(byte[] payload) {
    return CompletableFuture.supplyAsync(() -> new byte[] {(byte) payload.length});
  }

  @PacketHandler(23)
  CompletionStage<ByteBuffer> laterBuffer(String text) {
    return CompletableFuture.supplyAsync(
        () -> ByteBuffer.wrap(("buffer " + text).getBytes(StandardCharsets.UTF_8)));
  }

  @PacketHandler(24)
  CompletionStage<PacketReply> laterReply(byte[] payload, @PacketFlags long flags) {
    return CompletableFuture.supplyAsync(() -> new PacketReply(flags + 1, payload));
  }

  @PacketHandler(25)
  CompletableFuture<String> failsLater() {
    return CompletableFuture.supplyAsync(
        () -> {
          throw new IllegalStateException("boom later");
        });
  }

  /** The context's tag and address, and the core request's, to compare. */
  @PacketHandler(26)
  String tagAndAddress(RequestContext ctx, Request request) {
    return ctx.tag()
        + "|"
        + request.tag()
        + "|"
        + ctx.remoteAddress()
        + "|"
        + request.connection().remoteAddress().orElseThrow();
  }

  /** Who the peer is, by its TLS certificate; "anonymous" without one. */
  @PacketHandler(31)
  String peer(PacketConnection connection) {
    try {
      return connection.tlsSession().orElseThrow().getPeerPrincipal().getName();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return "anonymous";
    }
  }

  @PacketHandler(5000)
  String sparse() {
    return "sparse";
  }

  @PacketHandler(value = 1, channel = 1)
  String channelOne(String text) {
    return "channel one " + text;
  }

  @PacketHandler(30)
  String slow() throws InterruptedException {
    slowStarted.countDown();
    if (!slowRelease.await(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("never released");
    }
    return "slow done";
  }
}
