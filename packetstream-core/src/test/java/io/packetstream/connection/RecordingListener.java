package io.packetstream.connection;

import io.packetstream.wire.Packet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event it sees, for tests to check. */
final class RecordingListener implements TrafficListener {

  record Finished(Direction direction, long channel, long tag, long rqType, Outcome outcome) {}

  final List<String> started = new CopyOnWriteArrayList<>();
  final List<Finished> finished = new CopyOnWriteArrayList<>();
  final List<Packet> sent = new CopyOnWriteArrayList<>();
  final List<Packet> received = new CopyOnWriteArrayList<>();
  final List<Optional<Throwable>> closed = new CopyOnWriteArrayList<>();
  volatile int opened;

  @Override
  public void connectionOpened(PacketConnection connection) {
    opened++;
  }

  @Override
  public void connectionClosed(PacketConnection connection, Optional<Throwable> failure) {
    closed.add(failure);
  }

  @Override
  public void packetSent(PacketConnection connection, Packet packet, int bytes) {
    sent.add(packet);
  }

  @Override
  public void packetReceived(PacketConnection connection, Packet packet, int bytes) {
    received.add(packet);
  }

  @Override
  public void requestStarted(
      PacketConnection connection, Direction direction, long channel, long tag, long rqType) {
    started.add(direction + " " + channel + "/" + tag);
  }

  @Override
  public void requestFinished(
      PacketConnection connection,
      Direction direction,
      long channel,
      long tag,
      long rqType,
      Outcome outcome,
      long nanos) {
    finished.add(new Finished(direction, channel, tag, rqType, outcome));
  }
}
