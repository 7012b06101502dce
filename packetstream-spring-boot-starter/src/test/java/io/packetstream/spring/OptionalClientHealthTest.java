package io.packetstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client marked optional whose peer is down leaves the application's health UP, while a required
 * one takes it DOWN; read from /actuator/health over real HTTP.
 */
@Timeout(60)
class OptionalClientHealthTest {

  private static HttpResponse<String> health(boolean optional) throws Exception {
    int deadPort;
    try (ServerSocket free = new ServerSocket(0)) {
      deadPort = free.getLocalPort();
    }
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TestApplication.class)
            .web(WebApplicationType.SERVLET)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "packetstream.server.port=0",
                "packetstream.server.address=127.0.0.1",
                "packetstream.clients.reports.host=127.0.0.1",
                "packetstream.clients.reports.port=" + deadPort,
                "packetstream.clients.reports.optional=" + optional,
                "management.endpoint.health.show-details=always",
                "spring.main.banner-mode=off")
            .run()) {
      int http = context.getEnvironment().getProperty("local.server.port", Integer.class);
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/actuator/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void anOptionalPeerThatIsDownLeavesTheApplicationUp() throws Exception {
    HttpResponse<String> r = health(true);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = new JsonMapper().readTree(r.body());
    assertThat(body.at("/status").asString()).isEqualTo("UP");
    assertThat(body.at("/components/packetstream/components/reports/status").asString())
        .isEqualTo("UNKNOWN");
    assertThat(body.at("/components/packetstream/components/reports/details/optional").asBoolean())
        .isTrue();
  }

  @Test
  void aRequiredPeerThatIsDownTakesItDown() throws Exception {
    HttpResponse<String> r = health(false);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(
            new JsonMapper()
                .readTree(r.body())
                .at("/components/packetstream/components/reports/status")
                .asString())
        .isEqualTo("DOWN");
  }
}
