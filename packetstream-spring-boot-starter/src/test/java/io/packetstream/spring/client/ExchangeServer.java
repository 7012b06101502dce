package io.packetstream.spring.client;

import io.packetstream.connection.RequestFailedException;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PacketFlags;
import io.packetstream.spring.handler.PacketHandler;
import io.packetstream.spring.handler.PayloadCodec;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.IntStream;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The peer of the exchange tests: a Spring Boot server in a context of its own, on a random port of
 * 127.0.0.1, whose handlers answer each kind the exchanges read.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class ExchangeServer {

  public record Order(String item, int count) {}

  public record Receipt(String text, long flags) {}

  public record Problem(String why) {}

  /** Starts the server; its port is {@link #port(ConfigurableApplicationContext)}. */
  static ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(ExchangeServer.class)
        .web(WebApplicationType.NONE)
        .properties(
            "packetstream.server.port=0",
            "packetstream.server.address=127.0.0.1",
            "packetstream.server.shutdown-timeout=2s",
            "spring.main.banner-mode=off",
            "packetstream.observations.enabled=false")
        .run();
  }

  static int port(ConfigurableApplicationContext server) {
    return server
        .getEnvironment()
        .getRequiredProperty("local.packetstream.server.port", Integer.class);
  }

  @Bean
  Handlers handlers(PayloadCodec codec) {
    return new Handlers(codec);
  }

  /** One handler per answer kind. */
  public static class Handlers {
    private final PayloadCodec codec;

    /** The answers of type 5, which never come until the test completes them. */
    final List<CompletableFuture<String>> hanging = new CopyOnWriteArrayList<>();

    /** The keys of type 6, recorded before the answer goes out. */
    final BlockingQueue<String> touched = new LinkedBlockingQueue<>();

    Handlers(PayloadCodec codec) {
      this.codec = codec;
    }

    @PacketHandler(1)
    Receipt order(Order order, @PacketFlags long flags) {
      return new Receipt(order.count() + " x " + order.item(), flags);
    }

    @PacketHandler(2)
    long nextFlags(@PacketFlags long flags) {
      return flags + 1;
    }

    @PacketHandler(3)
    String upper(String text) {
      return text.toUpperCase();
    }

    @PacketHandler(value = 3, channel = 2)
    String lower(String text) {
      return text.toLowerCase();
    }

    @PacketHandler(4)
    String refuse(String why) {
      throw new RequestFailedException(Response.failure(7, codec.encode(new Problem(why))));
    }

    @PacketHandler(5)
    CompletableFuture<String> hang(String text) {
      CompletableFuture<String> answer = new CompletableFuture<>();
      hanging.add(answer);
      return answer;
    }

    @PacketHandler(6)
    void touch(String key) {
      touched.add(key);
    }

    @PacketHandler(7)
    List<Receipt> receipts(String item) {
      return IntStream.rangeClosed(1, 3).mapToObj(i -> new Receipt(i + " x " + item, i)).toList();
    }

    @PacketHandler(8)
    byte[] bytes(byte[] payload) {
      return payload;
    }

    /** Ends every hanging request, so that the server can drain. */
    void release() {
      hanging.forEach(f -> f.complete("released"));
    }
  }
}
