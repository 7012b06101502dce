package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.handler.PacketHandler;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * Handlers that nothing serves get one warning at start-up that says why: no port set, or the
 * server turned off.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class NothingServesWarningTest {

  private static final String NOTHING_SERVES =
      "there are @PacketHandler methods, but no packetstream server or client to serve them";

  static class Echo {
    @PacketHandler(1)
    String echo(String text) {
      return text;
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Echo.class)
  static class App {}

  private static List<String> warnings(CapturedOutput output, String... properties) {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off")
            .properties(properties)
            .run()) {
      assertThat(context.isActive()).isTrue();
    }
    return output.getOut().lines().filter(line -> line.contains(NOTHING_SERVES)).toList();
  }

  @Test
  void withoutAPortTheWarningSaysWhichToSet(CapturedOutput output) {
    assertThat(warnings(output))
        .singleElement()
        .asString()
        .contains(" WARN ")
        .contains("set packetstream.server.port (or packetstream.server.unix-socket-path)");
  }

  @Test
  void withTheServerTurnedOffTheWarningSaysSoInsteadOfAskingForAPort(CapturedOutput output) {
    assertThat(
            warnings(output, "packetstream.server.enabled=false", "packetstream.server.port=9999"))
        .singleElement()
        .asString()
        .contains(" WARN ")
        .contains("the server is turned off by packetstream.server.enabled=false")
        .doesNotContain("set packetstream.server.port");
  }
}
