package io.packetstream.sample;

import io.packetstream.spring.client.ImportPacketExchanges;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The sample as a client of another instance, when {@code packetstream.clients.kv.port} names one:
 * a {@link KeyValueApi} bean that calls it, and {@link ReceivedChanges}, which takes the change
 * requests it sends for what this instance watches.
 *
 * <pre>
 * java -jar packetstream-sample.jar --server.port=8081 --packetstream.server.port=9091 \
 *     --packetstream.clients.kv.port=9090
 * </pre>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("packetstream.clients.kv.port")
@ImportPacketExchanges(client = "kv", types = KeyValueApi.class)
class KeyValueClientConfiguration {

  @Bean
  ReceivedChanges receivedChanges() {
    return new ReceivedChanges();
  }

  /** The last {@value #KEPT} changes the other instance told this one about. */
  static final class ReceivedChanges {

    /** How many changes are kept. */
    static final int KEPT = 1000;

    private static final Logger log = LoggerFactory.getLogger(ReceivedChanges.class);

    /** A change as received: deleted when the flags say so. */
    record Received(String key, String value, boolean deleted) {}

    private final Deque<Received> changes = new ArrayDeque<>();

    @PacketHandler(KeyValueService.CHANGED)
    void changed(KeyValueService.Change change, @PacketFlags long flags) {
      boolean deleted = (flags & KeyValueService.DELETED) != 0;
      log.info("{} {}", deleted ? "deleted" : "changed", change.key());
      synchronized (changes) {
        if (changes.size() == KEPT) {
          changes.removeFirst();
        }
        changes.addLast(new Received(change.key(), change.value(), deleted));
      }
    }

    /** The changes kept, oldest first. */
    List<Received> changes() {
      synchronized (changes) {
        return List.copyOf(changes);
      }
    }
  }
}
