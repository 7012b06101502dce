package io.packetstream.spring.client;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.util.ClassUtils;

/**
 * Exchange methods that return Reactor's {@code Mono}: the request is sent when the Mono is
 * subscribed to, not when the method is called, as a {@code Mono} from Spring's HTTP interface
 * clients is; cancelling the subscription cancels the request (on this side: the peer cannot be
 * told).
 */
final class ReactorExchanges {

  static final String MONO = "reactor.core.publisher.Mono";
  static final String FLUX = "reactor.core.publisher.Flux";

  /** Whether Reactor is on the class path. */
  static final boolean SUPPORTED =
      ClassUtils.isPresent(MONO, ReactorExchanges.class.getClassLoader());

  private ReactorExchanges() {}

  /**
   * What needs Reactor, in a class of its own: the JVM loads it, and the Reactor types its code
   * names, only when a Mono-returning exchange method is called.
   */
  static final class Reactor {

    private Reactor() {}

    /** A Mono that sends the request when subscribed to, and ends with its answer. */
    static Object lazily(Supplier<CompletableFuture<Object>> request) {
      return reactor.core.publisher.Mono.fromFuture(request);
    }
  }
}
