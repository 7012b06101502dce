package io.packetstream.spring.autoconfigure;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.spring.context.PacketConnectionCustomizer;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * Disconnects every peer that connects to the server while the application's readiness is {@link
 * ReadinessState#REFUSING_TRAFFIC} (as Boot publishes it when the context closes, or as the
 * application does to take itself out of service), so that a load balancer's new peers go
 * elsewhere; peers already connected are served on. The server accepts again on {@link
 * ReadinessState#ACCEPTING_TRAFFIC}. Until the first change it accepts.
 */
final class ServerReadinessGate
    implements PacketConnectionCustomizer,
        ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

  private static final System.Logger LOG = System.getLogger(ServerReadinessGate.class.getName());

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
  public void customize(PacketConnection.Builder builder, ConnectionRole role, String name) {
    if (role != ConnectionRole.SERVER) {
      return;
    }
    builder.listener(
        new TrafficListener() {
          @Override
          public void connectionOpened(PacketConnection connection) {
            if (refusing) {
              // not from here: the connection is still starting on the server's accept thread
              CompletableFuture.runAsync(connection::abort);
            }
          }
        });
  }
}
