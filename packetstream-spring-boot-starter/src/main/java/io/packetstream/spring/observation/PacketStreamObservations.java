package io.packetstream.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Request;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import io.packetstream.spring.handler.ClientErrors;
import io.packetstream.spring.handler.PacketHandlerObserver;
import io.packetstream.spring.handler.PacketHandlers;

/**
 * Makes every request on the starter's connections a Micrometer {@code Observation}, documented by
 * {@link PacketStreamObservationDocumentation}: the peer's requests as {@code
 * packetstream.server.requests}, this end's as {@code packetstream.client.requests}, each from
 * start to answer, with a {@link RequestOutcome}. With Boot's observation support these give timers
 * and long-task timers, and spans with micrometer-tracing. As a {@link PacketHandlerObserver} it
 * makes the request's observation current on the handler's thread, and records the failure of a
 * request answered as a server error as its error.
 */
public final class PacketStreamObservations
    implements PacketConnectionCustomizer, PacketHandlerObserver {

  /** Which inbound channels and request types may be a key value. */
  interface RequestTypes {
    /** Whether a handler answers {@code rqType} on {@code channel}. */
    boolean known(long channel, long rqType);

    /** Whether a handler answers on {@code channel}. */
    boolean knownChannel(long channel);
  }

  /**
   * The handlers' answers, remembered for channel 0's first types, the common case, so that a
   * request does not look its channel up in the handler table twice: the table does not change once
   * built. Racing threads at worst both ask the handlers, and get the same answer.
   */
  private static final class HandledTypes implements RequestTypes {
    private static final byte UNASKED = 0;
    private static final byte NO = 1;
    private static final byte YES = 2;
    private static final int DENSE = 64;

    private final PacketHandlers handlers;
    private final byte[] types0 = new byte[DENSE];
    private byte channel0;

    HandledTypes(PacketHandlers handlers) {
      this.handlers = handlers;
    }

    @Override
    public boolean known(long channel, long rqType) {
      if (channel != 0 || rqType < 0 || rqType >= DENSE) {
        return handlers.handles(channel, rqType);
      }
      byte known = types0[(int) rqType];
      if (known == UNASKED) {
        known = handlers.handles(0, rqType) ? YES : NO;
        types0[(int) rqType] = known;
      }
      return known == YES;
    }

    @Override
    public boolean knownChannel(long channel) {
      if (channel != 0) {
        return handlers.handlesChannel(channel);
      }
      byte known = channel0;
      if (known == UNASKED) {
        known = handlers.handlesChannel(0) ? YES : NO;
        channel0 = known;
      }
      return known == YES;
    }
  }

  private final ObservationRegistry registry;
  private final PacketStreamObservationConvention convention;
  private final RequestTypes types;
  private final ClientErrors clientErrors;
  private final Running running = new Running();

  /** Whether the registry has no handlers: then nothing is observed, nor looked up per call. */
  private final boolean noop;

  /**
   * Observations in {@code registry}, named and keyed by {@code convention} (null: the default
   * one); the peer's requests keep their type only when one of {@code handlers} answers it, and
   * count as client errors when a handler said so.
   */
  public PacketStreamObservations(
      ObservationRegistry registry,
      PacketStreamObservationConvention convention,
      PacketHandlers handlers) {
    this.registry = registry;
    this.convention = convention;
    this.types = new HandledTypes(handlers);
    this.clientErrors = handlers.clientErrors();
    this.noop = registry.isNoop();
    if (!noop) {
      // a no-op registry gets no listener to take the marks
      clientErrors.enable();
    }
  }

  @Override
  public void customize(PacketConnection.Builder builder, ConnectionRole role, String name) {
    if (!noop) {
      builder.listener(
          new ObservingListener(registry, convention, role, name, types, clientErrors, running));
    }
  }

  /**
   * Makes the observation of {@code request} current on this thread (its span, with tracing), so
   * that the handler, its interceptors and exception handlers, and the requests it sends (whose
   * observations become its children) see it.
   */
  @Override
  public Scope open(Request request) {
    if (noop) {
      return Scope.NONE;
    }
    Observation o =
        running.get(request.connection(), Direction.INBOUND, request.channel(), request.tag());
    if (o == null) {
      return Scope.NONE;
    }
    Observation.Scope scope = o.openScope();
    return scope::close;
  }

  /** Records {@code failure} as the error of the request's observation. */
  @Override
  public void failed(Request request, Throwable failure) {
    Observation o =
        running.get(request.connection(), Direction.INBOUND, request.channel(), request.tag());
    if (o != null) {
      o.error(failure);
    }
  }
}
