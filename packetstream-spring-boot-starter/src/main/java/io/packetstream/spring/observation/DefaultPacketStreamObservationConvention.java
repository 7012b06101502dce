package io.packetstream.spring.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.observation.PacketStreamObservationDocumentation.HighCardinalityKeys;
import io.packetstream.spring.observation.PacketStreamObservationDocumentation.LowCardinalityKeys;

/**
 * The keys {@link PacketStreamObservationDocumentation} lists: the low-cardinality ones for timers,
 * the connection and tag only for spans. One instance per direction, {@link #SERVER} and {@link
 * #CLIENT}; extend it to add keys.
 */
public class DefaultPacketStreamObservationConvention implements PacketStreamObservationConvention {

  /** The name of observations of the peer's requests. */
  public static final String SERVER_REQUESTS = "packetstream.server.requests";

  /** The name of observations of this end's requests. */
  public static final String CLIENT_REQUESTS = "packetstream.client.requests";

  /** The convention of the peer's requests, named {@value #SERVER_REQUESTS}. */
  public static final DefaultPacketStreamObservationConvention SERVER =
      new DefaultPacketStreamObservationConvention(SERVER_REQUESTS);

  /** The convention of this end's requests, named {@value #CLIENT_REQUESTS}. */
  public static final DefaultPacketStreamObservationConvention CLIENT =
      new DefaultPacketStreamObservationConvention(CLIENT_REQUESTS);

  private static final String UNKNOWN = "unknown";

  /** Types below this have their contextual names kept; the last place is the unknown type's. */
  private static final int NAMED_TYPES = 64;

  private final String name;

  /** Contextual names by direction and type, made when first asked. */
  private final String[][] contextualNames = new String[2][NAMED_TYPES + 1];

  /** A convention whose observations are named {@code name}. */
  protected DefaultPacketStreamObservationConvention(String name) {
    this.name = name;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getContextualName(PacketStreamObservationContext context) {
    // asked at every stop: channel 0's first types and unknown ones keep theirs, made once
    long type = context.requestType();
    int at;
    if (!context.knownType()) {
      at = NAMED_TYPES;
    } else if (type >= 0 && type < NAMED_TYPES) {
      at = (int) type;
    } else {
      return contextualName(context);
    }
    String[] names = contextualNames[context.direction().ordinal()];
    String name = names[at];
    if (name == null) {
      name = contextualName(context);
      names[at] = name;
    }
    return name;
  }

  private static String contextualName(PacketStreamObservationContext context) {
    return (context.direction() == Direction.INBOUND ? "packetstream serve " : "packetstream call ")
        + type(context);
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(PacketStreamObservationContext context) {
    // the same few values for every request of a kind: made once, not once per request
    KeyValues cached = context.cachedKeyValues();
    if (cached != null) {
      return cached;
    }
    KeyValues made = lowCardinalityKeyValues(context);
    context.cacheKeyValues(made);
    return made;
  }

  private static KeyValues lowCardinalityKeyValues(PacketStreamObservationContext context) {
    RequestOutcome outcome = context.outcome();
    return KeyValues.of(
        KeyValue.of(LowCardinalityKeys.ROLE, context.role().tag()),
        KeyValue.of(LowCardinalityKeys.NAME, context.endpointName()),
        KeyValue.of(
            LowCardinalityKeys.CHANNEL,
            context.knownChannel() ? Long.toString(context.channel()) : UNKNOWN),
        KeyValue.of(LowCardinalityKeys.RQ_TYPE, type(context)),
        KeyValue.of(LowCardinalityKeys.OUTCOME, outcome == null ? "UNKNOWN" : outcome.name()));
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(PacketStreamObservationContext context) {
    // asked at start and at stop: the request's connection and tag do not change between
    KeyValues made = context.highCardinalityKeyValues;
    if (made == null) {
      made = highCardinalityKeyValues(context);
      context.highCardinalityKeyValues = made;
    }
    return made;
  }

  private static KeyValues highCardinalityKeyValues(PacketStreamObservationContext context) {
    return KeyValues.of(
        KeyValue.of(HighCardinalityKeys.CONNECTION, context.connection().name()),
        KeyValue.of(HighCardinalityKeys.TAG, Long.toString(context.tag())));
  }

  private static String type(PacketStreamObservationContext context) {
    return context.knownType() ? Long.toString(context.requestType()) : UNKNOWN;
  }
}
