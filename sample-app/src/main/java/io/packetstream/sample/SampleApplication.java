package io.packetstream.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A key-value store served over packetstream; see the README's sample section. */
@SpringBootApplication
public class SampleApplication {

  /** Runs the service. */
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }

  @Bean
  KeyValueStore keyValueStore() {
    return new KeyValueStore();
  }
}
