package io.packetstream.connection;

import io.packetstream.wire.PacketCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * A connection's settings: the one list of them. A {@link PacketConnection.Builder} fills one in;
 * opening a connection {@linkplain #freeze() freezes} a copy, which the connection's parts then
 * read without locks (it is never changed after that, and reaches them through final fields).
 * Defaults and checks live in the builder's setters.
 */
final class ConnectionConfig implements Cloneable {

  String name;
  Map<Long, RequestHandler> handlers = new HashMap<>();
  BufferHandler bufferHandler;
  Executor executor;
  ThreadFactory ioThreads;
  EventLoopGroup eventLoops;
  int maxFrameLength = PacketCodec.DEFAULT_MAX_FRAME_LENGTH;
  int maxOutboundFrameLength = PacketCodec.DEFAULT_MAX_FRAME_LENGTH;
  int maxConcurrentRequests = PacketConnection.Builder.DEFAULT_MAX_CONCURRENT_REQUESTS;
  int maxQueuedRequests = PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUESTS;
  int maxPendingRequests = PacketConnection.Builder.DEFAULT_MAX_PENDING_REQUESTS;
  long maxQueuedAnswerBytes = PacketConnection.Builder.DEFAULT_MAX_QUEUED_ANSWER_BYTES;
  long maxQueuedRequestBytes = PacketConnection.Builder.DEFAULT_MAX_QUEUED_REQUEST_BYTES;
  Duration requestTimeout = Duration.ZERO;
  Duration closeTimeout = PacketConnection.Builder.DEFAULT_CLOSE_TIMEOUT;
  Duration idleTimeout = Duration.ZERO;
  Duration readTimeout = PacketConnection.Builder.DEFAULT_READ_TIMEOUT;
  Duration probeInterval = Duration.ZERO;
  Duration probeTimeout = PacketConnection.Builder.DEFAULT_PROBE_TIMEOUT;
  Duration handshakeTimeout = PacketConnection.Builder.DEFAULT_HANDSHAKE_TIMEOUT;
  Duration packetGrace = Duration.ZERO;
  boolean sendErq = true;
  List<TrafficListener> listeners = new ArrayList<>();
  int bufferSize = PacketConnection.Builder.DEFAULT_BUFFER_SIZE;
  Duration readSpin = Duration.ZERO;

  /** A copy to change independently. */
  ConnectionConfig copy() {
    try {
      ConnectionConfig c = (ConnectionConfig) super.clone();
      c.handlers = new HashMap<>(handlers);
      c.listeners = new ArrayList<>(listeners);
      return c;
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  /** A copy for a connection: collections made immutable, defaults filled in. */
  ConnectionConfig freeze() {
    ConnectionConfig c = copy();
    Map<Long, RequestHandler> all = new HashMap<>(handlers);
    if (bufferHandler != null) {
      all.put(0L, DirectAnswers.asRequestHandler(bufferHandler, bufferSize));
    }
    c.handlers = Map.copyOf(all);
    c.listeners = List.copyOf(listeners);
    if (c.executor == null) {
      c.executor = DefaultThreads.handlerExecutor();
    }
    if (c.ioThreads == null) {
      c.ioThreads = DefaultThreads.ioThreadFactory();
    }
    if (c.eventLoops == null) {
      c.eventLoops = EventLoopGroup.shared();
    }
    return c;
  }

  Executor executor() {
    return executor;
  }

  TrafficListener listener() {
    return TrafficListener.of(listeners);
  }
}
