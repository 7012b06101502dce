package io.packetstream.spring.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a method that answers for an exception of a {@link PacketHandler} method, as
 * {@code @MessageExceptionHandler} does for {@code @MessageMapping}: on the handler's own bean it
 * serves that bean's methods, on a {@link PacketControllerAdvice} bean every handler. The handler's
 * own bean is asked first, then the advice beans in their {@code @Order}; within one, the method
 * for the closest exception type wins.
 *
 * <pre>{@code
 * @PacketExceptionHandler
 * String notFound(NoSuchElementException e) { return "no such order: " + e.getMessage(); }
 * }</pre>
 *
 * <p>Parameters: the exception (any type it is assignable to), {@link PacketHandlerMethod}, {@link
 * RequestContext}, the core {@link io.packetstream.connection.Request} and {@link
 * io.packetstream.connection.PacketConnection}. The result is the answer, not-ok: text, bytes,
 * flags, a {@link PacketReply} or an object for the {@link PayloadCodec} become the not-ok answer's
 * payload or flags, nothing an empty not-ok answer; return a core {@link
 * io.packetstream.connection.Response} to choose exactly what is sent, ok or not, or a {@link
 * java.util.concurrent.CompletionStage} of any of these.
 *
 * <p>A failure of the exception handler itself (it throws, or its stage fails) is not handled
 * again, as in Spring MVC: the exception it was handling goes on unhandled (answered {@code
 * exception during handler}), and a WARN names this method and that exception. One that rethrows
 * the exception it was given passes it on without a warning; a {@link
 * io.packetstream.connection.RequestFailedException} it throws is its answer.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(PacketHandlerReflectiveProcessor.class)
public @interface PacketExceptionHandler {

  /** The exceptions it answers for; by default those of its exception parameter. */
  Class<? extends Throwable>[] value() default {};
}
