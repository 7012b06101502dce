package io.packetstream.spring.client;

import java.util.concurrent.TimeoutException;

/**
 * An exchange method that waits got no answer in time (the client's {@code request-timeout}, or the
 * connection's): the unchecked form of the {@link TimeoutException} it carries, for methods that do
 * not declare that one.
 */
public class PacketRequestTimeoutException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  PacketRequestTimeoutException(String message, TimeoutException cause) {
    super(message, cause);
  }
}
