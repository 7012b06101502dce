package io.packetstream.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Response;
import io.packetstream.spring.context.PacketStreamServer;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.transport.PacketClient;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

/**
 * What Boot's validator checks in a payload before the handler runs: a JSON {@code null} (refused
 * unless the parameter is {@code @Nullable}), constraints on the payload parameter itself and on
 * its elements, as Spring's method validation checks them. Each failure is the peer's mistake: a
 * not-ok answer naming the field or parameter, logged at DEBUG, counted as a client error, and the
 * handler never runs. Real TCP to the real server of a real application.
 */
@SpringBootTest(
    classes = PayloadValidationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "packetstream.server.port=0",
      "packetstream.server.address=127.0.0.1",
      "logging.level.io.packetstream.spring.handler=DEBUG"
    })
@ExtendWith(OutputCaptureExtension.class)
@Timeout(60)
class PayloadValidationTest {

  /** A validated order. */
  public record VOrder(@NotBlank String item, @Min(1) int count) {}

  /** A parcel's size, checked inside the parcel. */
  public record VSize(@Positive int width) {}

  /** A parcel whose size and orders are checked with it. */
  public record VParcel(
      @NotBlank String label, @Valid @NotNull VSize size, List<@Valid VOrder> orders) {}

  /** A lid, a JavaBean with a getter. */
  public static class VLid {
    private int width;

    @Positive
    public int getWidth() {
      return width;
    }

    public void setWidth(int width) {
      this.width = width;
    }
  }

  /** A box, a JavaBean whose lid is checked with it. */
  public static class VBox {
    private VLid lid;

    @Valid
    public VLid getLid() {
      return lid;
    }

    public void setLid(VLid lid) {
      this.lid = lid;
    }
  }

  static class Handlers {

    /** What each handler was called with, in order. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    @PacketHandler(1)
    String order(@Valid VOrder order) {
      calls.add("order " + order.item());
      return order.count() + " x " + order.item();
    }

    @PacketHandler(2)
    String plain(VOrder order) {
      calls.add("plain " + order.item());
      return "plain " + order.item();
    }

    @PacketHandler(3)
    String maybe(@Nullable VOrder order) {
      calls.add("maybe " + order);
      return order == null ? "no order" : "order " + order.item();
    }

    @PacketHandler(4)
    String notBlank(@Valid @NotBlank String text) {
      calls.add("notBlank " + text);
      return "text " + text;
    }

    @PacketHandler(5)
    String list(@Valid @Size(max = 1) List<@Valid VOrder> orders) {
      calls.add("list " + orders.size());
      return orders.size() + " orders";
    }

    @PacketHandler(6)
    String elements(List<@Valid VOrder> orders) {
      calls.add("elements " + orders.size());
      return orders.size() + " orders";
    }

    @PacketHandler(7)
    String shortBytes(@Size(max = 3) byte[] payload) {
      calls.add("bytes " + payload.length);
      return payload.length + " bytes";
    }

    @PacketHandler(8)
    String parcel(@Valid VParcel parcel) {
      calls.add("parcel " + parcel.label());
      return "parcel " + parcel.label();
    }

    @PacketHandler(9)
    String parcels(List<@Valid VParcel> parcels) {
      calls.add("parcels " + parcels.size());
      return parcels.size() + " parcels";
    }

    @PacketHandler(10)
    String box(@Valid VBox box) {
      calls.add("box " + box.getLid().getWidth());
      return "box " + box.getLid().getWidth();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Handlers.class)
  static class App {}

  @Autowired PacketStreamServer server;
  @Autowired MeterRegistry registry;
  @Autowired Handlers handlers;
  PacketConnection client;

  @BeforeEach
  void connect() throws Exception {
    client = PacketClient.connect("127.0.0.1", server.port(), PacketConnection.builder());
    handlers.calls.clear();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Response call(long type, String payload) throws Exception {
    return client.submit(type, 0, payload.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
  }

  /** Waits until {@code count} requests of {@code type} are timed as client errors. */
  private void awaitClientErrors(long type, long count) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Timer t =
                  registry
                      .find("packetstream.server.requests")
                      .tags("rq.type", Long.toString(type), "outcome", "CLIENT_ERROR")
                      .timer();
              return t != null && t.count() == count;
            });
  }

  @Test
  void aNullPayloadForAValidatedParameterIsAClientErrorAndTheHandlerNeverRuns(CapturedOutput output)
      throws Exception {
    Response r = call(1, "null");

    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo("invalid VOrder: the payload is null");
    assertThat(handlers.calls).isEmpty();
    awaitClientErrors(1, 1);
    assertThat(output.getOut())
        .contains("DEBUG")
        .contains("bad request")
        .doesNotContain("WARN")
        .doesNotContain("NullPointerException");
    // a valid order is served as before
    assertThat(call(1, "{\"item\":\"tea\",\"count\":2}")).isEqualTo(Response.ok("2 x tea"));
  }

  @Test
  void aNullPayloadIsRefusedWithoutValidationTooUnlessTheParameterIsNullable() throws Exception {
    Response plain = call(2, "null");
    assertThat(plain.ok()).isFalse();
    assertThat(plain.text()).isEqualTo("invalid VOrder: the payload is null");
    assertThat(handlers.calls).isEmpty();

    assertThat(call(3, "null")).isEqualTo(Response.ok("no order"));
    assertThat(call(3, "{\"item\":\"tea\",\"count\":0}")).isEqualTo(Response.ok("order tea"));
    assertThat(handlers.calls).containsExactly("maybe null", "maybe VOrder[item=tea, count=0]");
  }

  @Test
  void aConstraintOnTheTextParameterItselfIsChecked(CapturedOutput output) throws Exception {
    for (String blank : List.of("", "   ")) {
      Response r = call(4, blank);
      assertThat(r.ok()).as("'%s'", blank).isFalse();
      assertThat(r.text()).isEqualTo("invalid String: text: must not be blank");
    }
    assertThat(handlers.calls).isEmpty();
    awaitClientErrors(4, 2);
    assertThat(output.getOut()).contains("invalid String: text").doesNotContain("WARN");
    assertThat(call(4, "tea")).isEqualTo(Response.ok("text tea"));
  }

  @Test
  void aListIsCheckedItselfAndElementByElement() throws Exception {
    Response r = call(5, "[{\"item\":\"tea\",\"count\":1},{\"item\":\" \",\"count\":0}]");

    assertThat(r.ok()).isFalse();
    assertThat(r.text())
        .isEqualTo(
            "invalid List: [1].count: must be greater than or equal to 1;"
                + " [1].item: must not be blank; orders: size must be between 0 and 1");
    assertThat(handlers.calls).isEmpty();
    awaitClientErrors(5, 1);
    assertThat(call(5, "[{\"item\":\"tea\",\"count\":1}]")).isEqualTo(Response.ok("1 orders"));
  }

  @Test
  void validElementsAreAskedForOnTheTypeArgumentAloneToo() throws Exception {
    Response r = call(6, "[{\"item\":\"tea\",\"count\":1},{\"item\":\"cake\",\"count\":0}]");

    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo("invalid List: [1].count: must be greater than or equal to 1");
    assertThat(handlers.calls).isEmpty();
  }

  @Test
  void aConstraintOnTheBytesIsChecked() throws Exception {
    Response r = call(7, "four");

    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo("invalid byte[]: payload: size must be between 0 and 3");
    assertThat(call(7, "two")).isEqualTo(Response.ok("3 bytes"));
    assertThat(handlers.calls).containsExactly("bytes 3");
  }

  @Test
  void aFieldOfANestedObjectOrOfAnElementIsNamedByItsPath(CapturedOutput output) throws Exception {
    Response r =
        call(
            8,
            "{\"label\":\"box\",\"size\":{\"width\":0},\"orders\":[{\"item\":\"\",\"count\":1}]}");

    assertThat(r.ok()).isFalse();
    assertThat(r.text())
        .isEqualTo(
            "invalid VParcel: orders[0].item: must not be blank;"
                + " size.width: must be greater than 0");
    assertThat(handlers.calls).isEmpty();
    awaitClientErrors(8, 1);
    assertThat(output.getOut()).doesNotContain("WARN").doesNotContain("Cannot retrieve value");
    assertThat(call(8, "{\"label\":\"box\",\"size\":{\"width\":2},\"orders\":[]}"))
        .isEqualTo(Response.ok("parcel box"));
  }

  @Test
  void aFieldNestedInAnElementOfTheListParameterIsNamedByItsPath() throws Exception {
    Response r = call(9, "[{\"label\":\"box\",\"size\":{\"width\":0},\"orders\":[]}]");

    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo("invalid List: [0].size.width: must be greater than 0");
    assertThat(handlers.calls).isEmpty();
    awaitClientErrors(9, 1);
  }

  @Test
  void aPropertyOfANestedJavaBeanIsNamedByItsPath() throws Exception {
    Response r = call(10, "{\"lid\":{\"width\":0}}");

    assertThat(r.ok()).isFalse();
    assertThat(r.text()).isEqualTo("invalid VBox: lid.width: must be greater than 0");
    assertThat(handlers.calls).isEmpty();
    awaitClientErrors(10, 1);
    assertThat(call(10, "{\"lid\":{\"width\":3}}")).isEqualTo(Response.ok("box 3"));
  }
}
