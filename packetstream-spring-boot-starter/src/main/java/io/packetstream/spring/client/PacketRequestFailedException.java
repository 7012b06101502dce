package io.packetstream.spring.client;

import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PayloadCodec;
import io.packetstream.spring.handler.PayloadTypes;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * The peer answered a typed call or an exchange with not-ok: the answer's flags and payload, and
 * the request it answered. {@link #payload(Class)} reads the payload through the codec, for peers
 * that describe failures in the payload's format.
 *
 * <pre>{@code
 * try {
 *   billing.invoice(order, 0);
 * } catch (PacketRequestFailedException e) {
 *   Problem p = e.payload(Problem.class);
 * }
 * }</pre>
 *
 * <p>It is a core {@link RequestFailedException}: thrown on from a {@link
 * io.packetstream.spring.handler.PacketHandler} method, the peer's not-ok answer is passed on to
 * the handler's own requester as it is.
 */
public class PacketRequestFailedException extends RequestFailedException {

  private static final long serialVersionUID = 1L;

  private final String target;
  private final long channel;
  private final long requestType;
  private final transient @Nullable PayloadCodec codec;

  PacketRequestFailedException(
      String target,
      long channel,
      long requestType,
      Response answer,
      @Nullable PayloadCodec codec) {
    super(answer);
    this.target = target;
    this.channel = channel;
    this.requestType = requestType;
    this.codec = codec;
  }

  @Override
  public String getMessage() {
    return target
        + ": request type "
        + requestType
        + " on channel "
        + channel
        + " failed: flags "
        + flags()
        + ", "
        + PayloadTypes.firstLine(response().text());
  }

  /** The answer's flags. */
  public long flags() {
    return response().flags();
  }

  /** A copy of the answer's payload. */
  public byte[] payload() {
    return response().payload().clone();
  }

  /** The channel of the request. */
  public long channel() {
    return channel;
  }

  /** The type of the request. */
  public long requestType() {
    return requestType;
  }

  /**
   * The payload decoded through the codec as {@code type} (text as it is, an empty payload null).
   *
   * @throws IllegalStateException if there is no codec, or the payload is not a {@code type}
   */
  public <T> @Nullable T payload(Class<T> type) {
    return type.cast(decode(type));
  }

  private @Nullable Object decode(Type type) {
    byte[] payload = response().payload();
    if (type == String.class) {
      return response().text();
    }
    if (payload.length == 0) {
      return null;
    }
    if (codec == null) {
      throw new IllegalStateException(
          "no PayloadCodec to read the failure's payload as " + type.getTypeName());
    }
    try {
      return codec.decode(payload, type);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot read the failure's payload as "
              + type.getTypeName()
              + ": "
              + PayloadTypes.firstLine(e.getMessage()),
          e);
    }
  }
}
