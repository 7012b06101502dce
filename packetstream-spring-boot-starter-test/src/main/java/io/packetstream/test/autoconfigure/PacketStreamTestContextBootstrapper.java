package io.packetstream.test.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.test.autoconfigure.TestSliceTestContextBootstrapper;

/**
 * Bootstraps a {@link PacketStreamTest @PacketStreamTest}: its properties, after {@code
 * packetstream.server.port=0}, so that the server listens on a free port unless the test says
 * otherwise.
 */
final class PacketStreamTestContextBootstrapper
    extends TestSliceTestContextBootstrapper<PacketStreamTest> {

  static final String RANDOM_PORT = "packetstream.server.port=0";

  @Override
  protected String[] getProperties(Class<?> testClass) {
    String[] own = super.getProperties(testClass);
    List<String> properties = new ArrayList<>();
    properties.add(RANDOM_PORT);
    if (own != null) {
      // later ones win: the test's own port, if it sets one
      properties.addAll(Arrays.asList(own));
    }
    return properties.toArray(String[]::new);
  }
}
