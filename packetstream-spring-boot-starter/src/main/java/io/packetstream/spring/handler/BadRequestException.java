package io.packetstream.spring.handler;

/**
 * The peer's request cannot be served as it is (its payload cannot be decoded, is null where the
 * parameter does not allow it, or fails validation): answered not-ok with this message, logged at
 * DEBUG, and counted as a client error rather than a failure of the handler.
 */
final class BadRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  BadRequestException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
