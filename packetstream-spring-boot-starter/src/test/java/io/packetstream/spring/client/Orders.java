package io.packetstream.spring.client;

import io.packetstream.connection.Response;
import io.packetstream.spring.client.ExchangeServer.Order;
import io.packetstream.spring.client.ExchangeServer.Receipt;
import io.packetstream.spring.handler.PacketFlags;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/** Every kind of exchange method, against {@link ExchangeServer}'s handlers. */
public interface Orders {

  @PacketExchange(type = 1)
  Receipt order(Order order, @PacketFlags long flags);

  @PacketExchange(type = 1)
  CompletableFuture<Receipt> orderLater(Order order);

  @PacketExchange(type = 2)
  long nextFlags(@PacketFlags long flags);

  @PacketExchange(type = 2)
  int nextIntFlags(@PacketFlags int flags);

  @PacketExchange(type = 3)
  String upper(String text);

  @PacketExchange(type = 3, channel = 2)
  CompletionStage<String> lower(String text);

  @PacketExchange(type = 4)
  Response refuseRaw(String why);

  @PacketExchange(type = 4)
  Receipt refuse(String why);

  @PacketExchange(type = 4)
  void refuseVoid(String why);

  @PacketExchange(type = 4)
  CompletableFuture<Void> refuseLater(String why);

  @PacketExchange(type = 5)
  String hang(String text);

  @PacketExchange(type = 5)
  String hangDeclared(String text) throws TimeoutException;

  @PacketExchange(type = 5)
  CompletableFuture<String> hangLater(String text);

  @PacketExchange(type = 6)
  void touch(String key);

  @PacketExchange(type = 3)
  Mono<String> upperMono(String text);

  @PacketExchange(type = 4)
  Mono<Receipt> refuseMono(String why);

  @PacketExchange(type = 5)
  Mono<String> hangMono(String text);

  @PacketExchange(type = 6)
  Mono<Void> touchMono(String key);

  @PacketExchange(type = 7)
  List<Receipt> receipts(String item);

  @PacketExchange(type = 8)
  ByteBuffer bytes(byte[] payload);

  @PacketExchange(type = 8)
  Receipt nothing(byte[] payload);

  // Kotlin suspend functions, as the compiler makes them: suspend fun orderSuspending(order:
  // Order): Receipt, and so on

  @PacketExchange(type = 1)
  Object orderSuspending(Order order, kotlin.coroutines.Continuation<? super Receipt> continuation);

  @PacketExchange(type = 7)
  Object receiptsSuspending(
      String item, kotlin.coroutines.Continuation<? super List<? extends Receipt>> continuation);

  @PacketExchange(type = 4)
  Object refuseSuspending(String why, kotlin.coroutines.Continuation<? super Receipt> continuation);

  @PacketExchange(type = 5)
  Object hangSuspending(String text, kotlin.coroutines.Continuation<? super String> continuation);

  /** suspend fun touchSuspending(key: String): Unit, no result to read. */
  @PacketExchange(type = 6)
  Object touchSuspending(
      String key, kotlin.coroutines.Continuation<? super kotlin.Unit> continuation);

  /** An answer with a payload, ignored by a suspend function of no result. */
  @PacketExchange(type = 3)
  Object upperIgnored(
      String text, kotlin.coroutines.Continuation<? super kotlin.Unit> continuation);

  /** Not an exchange: a default method calls others. */
  default String shout(String text) {
    return upper(text) + "!";
  }
}
