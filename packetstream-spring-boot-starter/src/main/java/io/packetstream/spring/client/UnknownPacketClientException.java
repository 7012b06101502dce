package io.packetstream.spring.client;

import java.util.List;

/**
 * A registered {@link PacketExchange} interface names a client that is not configured: thrown at
 * start-up, and explained by {@link PacketExchangeFailureAnalyzer}.
 */
final class UnknownPacketClientException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String client;
  private final List<String> configured;
  private final String source;

  UnknownPacketClientException(
      Class<?> type, String client, List<String> configured, String source) {
    super(
        source
            + ": "
            + type.getName()
            + " calls no packetstream client named '"
            + client
            + "'; configured: "
            + configured);
    this.client = client;
    this.configured = List.copyOf(configured);
    this.source = source;
  }

  String client() {
    return client;
  }

  List<String> configured() {
    return configured;
  }

  String source() {
    return source;
  }
}
