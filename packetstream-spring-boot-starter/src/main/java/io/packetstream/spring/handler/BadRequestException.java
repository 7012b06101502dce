package io.packetstream.spring.handler;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The peer's request cannot be served as it is: its payload cannot be read as the handler's
 * parameter, is null where the parameter does not allow it, fails validation, or its flags do not
 * fit the parameter. A handler may throw one too, for a request it finds wrong.
 *
 * <p>A {@link PacketExceptionHandler} for it (or a supertype) may answer it, as Spring MVC's
 * handlers answer a {@code MethodArgumentNotValidException}; unless one does, the peer gets a
 * not-ok answer with this message. Either way it is logged at DEBUG, not WARN, and the request
 * counts as a client error (outcome {@code CLIENT_ERROR}): the peer's mistake, not the
 * application's.
 */
public final class BadRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** One failed constraint: the path below the payload it is on, and what it says. */
  public record Violation(String path, String message) {}

  private final List<Violation> violations;

  /** A bad request described by {@code message}, which the peer gets unless it is handled. */
  public BadRequestException(String message) {
    this(message, null, List.of());
  }

  /** A bad request described by {@code message}, found through {@code cause}. */
  public BadRequestException(String message, @Nullable Throwable cause) {
    this(message, cause, List.of());
  }

  BadRequestException(String message, @Nullable Throwable cause, List<Violation> violations) {
    super(message, cause, false, false);
    this.violations = List.copyOf(violations);
  }

  /**
   * The constraints the payload failed, sorted by path (a field {@code count}, a nested one {@code
   * size.width}, an element's {@code [1].item}, or the parameter's name for the payload itself);
   * empty when the request is bad for another reason.
   */
  public List<Violation> violations() {
    return violations;
  }
}
