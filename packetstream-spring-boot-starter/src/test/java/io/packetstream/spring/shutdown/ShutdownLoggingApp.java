package io.packetstream.spring.shutdown;

import io.packetstream.spring.handler.PacketHandler;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;

/**
 * An application for {@link ShutdownLoggingTest}, run in a JVM of its own so that the test can stop
 * it as Kubernetes does, with SIGTERM: one handler that fails a while after it starts.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ShutdownLoggingApp.LateFailure.class)
public class ShutdownLoggingApp {

  public static void main(String[] args) {
    SpringApplication.run(ShutdownLoggingApp.class, args);
  }

  /** Fails 1.5 s after it starts: long enough for the test to send SIGTERM meanwhile. */
  @Component
  static class LateFailure {

    @PacketHandler(57)
    String fail(String payload) throws InterruptedException {
      System.out.println("late failure started");
      System.out.flush();
      Thread.sleep(1500);
      throw new IllegalStateException("late failure " + payload);
    }
  }
}
