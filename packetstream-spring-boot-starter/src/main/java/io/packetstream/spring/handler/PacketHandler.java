package io.packetstream.spring.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a bean method that answers the peer's requests of one type on one channel, on every
 * connection the starter opens (the server's and the clients': both ends are peers).
 *
 * <pre>{@code
 * @Component
 * class Greeter {
 *   @PacketHandler(1)
 *   String hello(String name) { return "hello " + name; }
 *
 *   @PacketHandler(2)
 *   CompletableFuture<Order> order(OrderRequest rq, RequestContext ctx) { ... } // JSON both ways
 * }
 * }</pre>
 *
 * <p>It may be a meta-annotation: an annotation of the application's annotated
 * {@code @PacketHandler(7)} marks methods that answer type 7.
 *
 * <p>Parameters are resolved by type: {@code byte[]}, {@link java.nio.ByteBuffer} or {@link String}
 * (UTF-8) get the payload; an {@code int} or {@code long} annotated {@link PacketFlags} gets the
 * request flags; {@link RequestContext}, the core {@link io.packetstream.connection.Request} and
 * {@link io.packetstream.connection.PacketConnection} describe the request; any other type is
 * decoded from the payload by the {@link PayloadCodec} bean; a JSON {@code null} is refused unless
 * the parameter is {@code @Nullable}. Boot's validator checks a payload annotated {@code @Valid} or
 * {@code @Validated}, and, as Spring's method validation does, one with Bean Validation constraints
 * of its own or on its elements ({@code @NotBlank String}, {@code List<@Valid Order>}). {@link
 * Payload} marks the payload parameter explicitly (optional); a method takes the payload in one
 * parameter at most, and one the codec cannot read stops the application at start-up. {@link
 * PacketArgumentResolver} beans add kinds of their own, asked first.
 *
 * <p>The return value becomes the response: nothing (ok, empty), an {@code int}/{@code long}
 * (flags), bytes, text, a {@link PacketReply}, a core {@link io.packetstream.connection.Response},
 * any other object (encoded by the codec), a {@link java.util.concurrent.CompletionStage} of any of
 * these, a Reactor {@code Mono} (its value) or {@code Flux} (the list of its values); or a core
 * {@link io.packetstream.connection.Reply} (not in a stage: a Reply may itself be one for later).
 * Each of these kinds is a {@link PacketReturnValueHandler}; the application's beans of that type
 * add kinds of their own and are asked first. A type that could only be served wrongly ({@code
 * Optional}, {@code Stream}, a plain {@code Future}, I/O streams) stops the application at
 * start-up.
 *
 * <p>A payload the codec cannot read, or that fails validation, is answered not-ok saying why, as
 * the peer's mistake. A thrown exception goes to the {@link PacketExceptionHandler} methods; one
 * none of them answers sends the original's {@code exception during handler}, unless it is a {@link
 * io.packetstream.connection.RequestFailedException}, whose not-ok response is sent.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(PacketHandlerReflectiveProcessor.class)
public @interface PacketHandler {

  /** The request type this method answers. */
  long value();

  /**
   * The channel it answers on; by default its class's {@link PacketChannel}, else 0, the only
   * channel the original uses.
   */
  long channel() default -1;
}
