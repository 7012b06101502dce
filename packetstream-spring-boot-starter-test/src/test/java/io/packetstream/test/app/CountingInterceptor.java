package io.packetstream.test.app;

import io.packetstream.connection.Request;
import io.packetstream.connection.Response;
import io.packetstream.spring.handler.PacketHandlerInterceptor;
import io.packetstream.spring.handler.PacketHandlerMethod;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Counts handler calls. */
@Component
public class CountingInterceptor implements PacketHandlerInterceptor {

  public final AtomicInteger calls = new AtomicInteger();

  @Override
  public Response preHandle(Request request, PacketHandlerMethod handler) {
    calls.incrementAndGet();
    return null;
  }
}
