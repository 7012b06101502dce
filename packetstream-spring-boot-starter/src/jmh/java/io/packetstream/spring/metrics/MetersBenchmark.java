package io.packetstream.spring.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.TrafficListener.Direction;
import io.packetstream.connection.TrafficListener.Outcome;
import io.packetstream.spring.context.ConnectionRole;
import io.packetstream.wire.Packet;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the meters cost one answered request on the server side: the listener events a request
 * causes (one packet in, one out, the request's end), in nanoseconds, with a real registry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MetersBenchmark {

  private MeteringListener listener;
  private PacketConnection connection;
  private Packet request;
  private Packet answer;

  @Setup
  public void setUp() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PacketStreamMetrics metrics = new PacketStreamMetrics(registry, 100);
    listener = new MeteringListener(metrics.group(ConnectionRole.SERVER, "bench"), null, true);
    connection =
        PacketConnection.builder()
            .open(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream());
    listener.connectionOpened(connection);
    request = new Packet(0, 2, 0, true, 0, new byte[64]);
    answer = new Packet(0, 2, 0, false, Packet.NO_RQ_TYPE, new byte[64]);
  }

  @Benchmark
  public void oneRequest() {
    listener.packetReceived(connection, request, 70);
    listener.requestFinished(connection, Direction.INBOUND, 0, 2, 0, Outcome.OK, 12_345);
    listener.packetSent(connection, answer, 70);
  }
}
