package io.packetstream.spring.handler;

import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import io.packetstream.connection.RequestHandler;
import io.packetstream.connection.Response;
import java.util.Map;

/**
 * The core handler of one channel: finds the method for a request's type in a table (an array for
 * small types, a map beyond) and calls it; a type nobody handles gets a not-ok answer that says so,
 * counted as a client error, without a log line per request.
 */
final class ChannelRouter implements RequestHandler {

  /** Types below this go in the array. */
  static final int DENSE_LIMIT = 1024;

  private final long channel;
  private final ClientErrors clientErrors;
  private final HandlerInvoker[] dense;
  private final Map<Long, HandlerInvoker> sparse;

  ChannelRouter(long channel, Map<Long, HandlerInvoker> byType, ClientErrors clientErrors) {
    this.channel = channel;
    this.clientErrors = clientErrors;
    int size = 0;
    for (long type : byType.keySet()) {
      if (type < DENSE_LIMIT) {
        size = Math.max(size, (int) type + 1);
      }
    }
    this.dense = new HandlerInvoker[size];
    this.sparse = new java.util.HashMap<>();
    byType.forEach(
        (type, invoker) -> {
          if (type < DENSE_LIMIT) {
            dense[type.intValue()] = invoker;
          } else {
            sparse.put(type, invoker);
          }
        });
  }

  /** Whether a method answers {@code type} on this channel. */
  boolean handles(long type) {
    return type >= 0
        && (type < dense.length
            ? dense[(int) type] != null
            : !sparse.isEmpty() && sparse.containsKey(type));
  }

  @Override
  public Reply handle(Request request) throws Exception {
    long type = request.rqType();
    HandlerInvoker invoker =
        type < dense.length ? dense[(int) type] : sparse.isEmpty() ? null : sparse.get(type);
    if (invoker == null) {
      // the peer asked for something this application does not serve: its mistake
      clientErrors.mark(request.connection(), request.channel(), request.tag());
      return Response.failure(
          "no @PacketHandler for request type " + type + " on channel " + channel);
    }
    return invoker.invoke(request);
  }

  /** Adds a line {@code channel 0, type 1 -> Orders.order(Order) of bean 'orders'} per type. */
  void describe(StringBuilder table) {
    java.util.TreeMap<Long, HandlerInvoker> all = new java.util.TreeMap<>(sparse);
    for (int t = 0; t < dense.length; t++) {
      if (dense[t] != null) {
        all.put((long) t, dense[t]);
      }
    }
    all.forEach(
        (type, invoker) ->
            table
                .append("\n  channel ")
                .append(channel)
                .append(", type ")
                .append(type)
                .append(" -> ")
                .append(invoker.description()));
  }

  @Override
  public String toString() {
    return "ChannelRouter[channel " + channel + "]";
  }
}
