package io.packetstream.spring.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of an interface that sends one request to the peer and maps its answer: the
 * client-side mirror of a {@link io.packetstream.spring.handler.PacketHandler} method. Register the
 * interface with {@link ImportPacketExchanges} or {@code packetstream.clients.NAME.exchanges}, or
 * make one with {@link PacketExchangeProxyFactory}.
 *
 * <p>Parameters, as a handler receives them: at most one payload (bytes, a {@code ByteBuffer},
 * text, or an object the {@link io.packetstream.spring.handler.PayloadCodec} encodes; null sends an
 * empty payload) and at most one {@link io.packetstream.spring.handler.PacketFlags} {@code long} or
 * {@code int}. Return types:
 *
 * <ul>
 *   <li>{@code CompletableFuture<T>} (or {@code CompletionStage<T>}): does not wait;
 *   <li>{@code Mono<T>} (with reactor-core): sends the request when subscribed to, and cancels it
 *       when the subscription is; fails as the future does (a {@code TimeoutException} when no
 *       answer comes in time). A {@code Flux} is refused: an answer is one payload;
 *   <li>{@code T}: waits for the answer and maps it: bytes, {@code ByteBuffer} or text as they are,
 *       {@code long} or {@code int} the answer's flags, a {@link
 *       io.packetstream.spring.handler.PacketReply} both, anything else decoded by the codec (an
 *       empty payload is null);
 *   <li>{@code void}: waits for the answer and ignores it;
 *   <li>{@link io.packetstream.connection.Response}: the answer as it came, ok or not.
 * </ul>
 *
 * <p>Except for {@code Response}, a not-ok answer raises a {@link PacketRequestFailedException}
 * (from a future or a Mono: fails it). A method that waits and gets no answer within the client's
 * {@code request-timeout} throws {@link PacketRequestTimeoutException}; a lost connection, an
 * {@link java.io.UncheckedIOException} (each the checked cause itself when the method declares it).
 * Any other signature is refused when the proxy is made, naming the method. A method that waits
 * throws {@link IllegalStateException} on a connection's event loop thread (in a future's
 * callback), which would have to read its answer: use the {@code CompletableFuture} form there.
 *
 * <pre>{@code
 * interface Billing {
 *   @PacketExchange(type = 1) Invoice invoice(Order order, @PacketFlags long flags);
 *   @PacketExchange(type = 2, channel = 3) CompletableFuture<Void> cancel(String orderId);
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PacketExchange {

  /** The request type. */
  long type();

  /**
   * The channel; by default the interface's {@link io.packetstream.spring.handler.PacketChannel},
   * else 0.
   */
  long channel() default -1;
}
