package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.Loggers;
import io.packetstream.spring.context.PacketServerCustomizer;
import io.packetstream.transport.PacketServer;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * Disconnects every peer that connects to the server while the application's readiness is {@link
 * ReadinessState#REFUSING_TRAFFIC} (as Boot publishes it when the context closes, or as the
 * application does to take itself out of service), before anything is read from it, so that none of
 * its requests runs and a load balancer's new peers go elsewhere; peers already connected are
 * served on. The server accepts again on {@link ReadinessState#ACCEPTING_TRAFFIC}. Until the first
 * change it accepts.
 */
final class ServerReadinessGate
    implements PacketServerCustomizer,
        ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

  private static final System.Logger LOG = Loggers.of(ServerReadinessGate.class);

  private volatile boolean refusing;

  @Override
  public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
    boolean refuse = event.getState() == ReadinessState.REFUSING_TRAFFIC;
    if (refuse != refusing) {
      refusing = refuse;
      LOG.log(
          System.Logger.Level.INFO,
          () ->
              "packetstream server "
                  + (refuse
                      ? "refuses new peers: the application refuses traffic"
                      : "accepts new peers again: the application accepts traffic"));
    }
  }

  /** Whether new peers are disconnected now. */
  boolean isRefusing() {
    return refusing;
  }

  @Override
  public void customize(PacketServer.Builder builder) {
    builder.admitting(() -> !refusing);
  }
}
