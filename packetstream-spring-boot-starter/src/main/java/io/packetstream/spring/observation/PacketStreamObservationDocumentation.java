package io.packetstream.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of packetstream requests, with their keys: one per request this end answers
 * ({@code packetstream.server.requests}) and one per request it sends ({@code
 * packetstream.client.requests}), from the request's arrival or sending to its answer. Boot's
 * default handlers make a timer and a long-task timer of each and, with micrometer-tracing, a span.
 */
public enum PacketStreamObservationDocumentation implements ObservationDocumentation {

  /** A request from the peer, from arrival to answer. */
  SERVER_REQUESTS {
    @Override
    public Class<? extends ObservationConvention<? extends Observation.Context>>
        getDefaultConvention() {
      return DefaultPacketStreamObservationConvention.class;
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
      return LowCardinalityKeys.values();
    }

    @Override
    public KeyName[] getHighCardinalityKeyNames() {
      return HighCardinalityKeys.values();
    }
  },

  /** A request to the peer, from sending to answer. */
  CLIENT_REQUESTS {
    @Override
    public Class<? extends ObservationConvention<? extends Observation.Context>>
        getDefaultConvention() {
      return DefaultPacketStreamObservationConvention.class;
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
      return LowCardinalityKeys.values();
    }

    @Override
    public KeyName[] getHighCardinalityKeyNames() {
      return HighCardinalityKeys.values();
    }
  };

  /** Keys with few values: timers are tagged with them. */
  public enum LowCardinalityKeys implements KeyName {

    /** {@code server} or {@code client}: which side opened the connection. */
    ROLE {
      @Override
      public String asString() {
        return "role";
      }
    },

    /** The name of the server or client. */
    NAME {
      @Override
      public String asString() {
        return "name";
      }
    },

    /**
     * The channel; for the peer's requests {@code unknown} when no {@code @PacketHandler} answers
     * on it.
     */
    CHANNEL {
      @Override
      public String asString() {
        return "channel";
      }
    },

    /**
     * The request type; for the peer's requests {@code unknown} when no {@code @PacketHandler}
     * answers it on its channel.
     */
    RQ_TYPE {
      @Override
      public String asString() {
        return "rq.type";
      }
    },

    /** A {@link RequestOutcome}. */
    OUTCOME {
      @Override
      public String asString() {
        return "outcome";
      }
    }
  }

  /** Keys with many values: spans carry them, timers do not. */
  public enum HighCardinalityKeys implements KeyName {

    /** The connection's name. */
    CONNECTION {
      @Override
      public String asString() {
        return "connection";
      }
    },

    /** The requester's tag. */
    TAG {
      @Override
      public String asString() {
        return "tag";
      }
    }
  }
}
